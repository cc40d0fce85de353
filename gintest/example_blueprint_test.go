package gintest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// NewBlueprint makes a gindance blueprint for the provider: its endpoints,
// the default client, and gintest.Identity to map /api/me. The optional
// tweak changes the configuration first. Mount it in the app under test and
// log in with a Browser.
func ExampleProvider_NewBlueprint() {
	gin.SetMode(gin.TestMode) // keep Gin's debug lines out of the test output
	p := gintest.StartProvider(gintest.Options{
		User: &gintest.User{ID: "42", Login: "ada", Email: "ada@example.test", EmailVerified: true},
	})
	defer p.Close()

	r := gin.New()
	r.Use(sessions.Sessions("app", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210"))))
	idp := p.NewBlueprint("idp", func(cfg *blueprint.OAuth2Config) {
		cfg.Scopes = []string{"profile", "email"}
		cfg.RedirectTo = "/welcome" // where a login without ?next= lands
	})
	idp.Mount(r.Group("/login"))
	r.GET("/welcome", func(c *gin.Context) {
		id, err := idp.Identity(c)
		if err != nil {
			c.String(http.StatusUnauthorized, "%v", err)
			return
		}
		tok, _ := idp.Token(c)
		c.String(http.StatusOK, "welcome %s (%s, verified %v), scopes %s", id.Username, id.Email, id.EmailVerified, strings.Join(tok.Scopes, ","))
	})
	app := httptest.NewServer(r)
	defer app.Close()

	page, err := gintest.NewBrowser().Get(app.URL + "/login/idp")
	if err != nil {
		panic(err)
	}
	fmt.Println(page.URL.Path, page.Body)
	// Output:
	// /welcome welcome ada (ada@example.test, verified true), scopes profile,email
}

// SeedToken unit-tests a handler as a logged-in user without any login:
// the blueprint sees the seeded token on every request, and the returned
// MemoryStorage shows what the handler stored or deleted. Here the handler
// under test logs the user out, which forgets the token and revokes it at
// the provider.
func ExampleSeedToken() {
	gin.SetMode(gin.TestMode)
	p := gintest.StartProvider(gintest.Options{})
	defer p.Close()
	access, refresh := p.IssueToken("user-1", 0) // real tokens of the fake provider

	idp := p.NewBlueprint("idp")
	store := gintest.SeedToken(idp, &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer"})

	logout := func(c *gin.Context) { // the handler under test
		if err := idp.Logout(c); err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "bye")
	}
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodPost, "/logout", nil)
	fmt.Println("logged in before:", idp.Authorized(c))
	logout(c)

	left, _ := store.Get(nil, "idp")
	fmt.Println(w.Code, w.Body.String())
	fmt.Println("token left:", left)
	fmt.Println("revoked at the provider:", p.Revoked(refresh), p.Revoked(access))
	// Output:
	// logged in before: true
	// 200 bye
	// token left: <nil>
	// revoked at the provider: true true
}
