package blueprint_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
)

// A background job calls the API for each stored user, outside any
// request: ClientFor finds the token by the user key the store files it
// under, refreshing it first when it expired (one refresh, shared with the
// user's own requests).
func ExampleBlueprint_ClientFor() {
	p := gintest.StartProvider(gintest.Options{})
	defer p.Close()
	idp := p.NewBlueprint("idp")
	store := memory.New(storage.Config{User: func(c *gin.Context) (string, error) { return c.GetHeader("X-User"), nil }})
	idp.SetStorage(store)
	// as a login would have stored it, an hour ago
	access, refresh := p.IssueToken("42", -time.Minute)
	_ = store.SetFor(context.Background(), "idp", "42", &blueprint.Token{AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(-time.Minute)})

	for _, user := range []string{"42", "7"} {
		cl, err := idp.ClientFor(context.Background(), user)
		if errors.Is(err, blueprint.ErrNotAuthorized) {
			fmt.Println(user, "has no token")
			continue
		}
		var me struct{ ID string }
		if err := cl.GetJSON("me", &me); err != nil {
			panic(err)
		}
		fmt.Println(user, "is", me.ID, "at the provider")
	}
	fmt.Println("refreshes:", p.Calls(gintest.EndpointRefresh))
	// Output:
	// 42 is 42 at the provider
	// 7 has no token
	// refreshes: 1
}

// Libraries that take an *http.Client (go-github, google.golang.org/api,
// ...) get one that carries the request user's token to the API, and
// nowhere else.
func ExampleClient_HTTPClient() {
	p := gintest.StartProvider(gintest.Options{})
	defer p.Close()
	idp := p.NewBlueprint("idp")
	access, _ := p.IssueToken("42", time.Hour)
	gintest.SeedToken(idp, &blueprint.Token{AccessToken: access, Expiry: time.Now().Add(time.Hour)})

	r := gin.New()
	r.GET("/", func(c *gin.Context) {
		hc := idp.Client(c).HTTPClient() // give it to the library
		for _, target := range []string{p.APIBaseURL() + "me", "https://elsewhere.example/"} {
			req, _ := http.NewRequestWithContext(c, http.MethodGet, target, nil)
			resp, err := hc.Do(req)
			if err != nil {
				fmt.Println(errors.Is(err, blueprint.ErrForeignHost))
				continue
			}
			resp.Body.Close()
			fmt.Println(resp.Status)
		}
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	// Output:
	// 200 OK
	// true
}
