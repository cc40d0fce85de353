package blueprint_test

import (
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// An OnLogin hook finds or creates the app's user from the provider's
// identity: b.Identity (and b.Client) inside the hook must use the token
// just granted, not the stored one (none yet on a first login, or another
// account's on a re-login).
func TestOnLoginSeesTheNewTokensIdentity(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u-7", Login: "grace"}})
	defer p.Close()
	b := p.NewBlueprint("fake")
	var got string
	var hookErr error
	b.OnLogin(func(c *gin.Context, tok *blueprint.Token) error {
		id, err := b.Identity(c)
		if err != nil {
			hookErr = err
			return err
		}
		got = id.Username
		return nil
	})
	r := newEngine()
	b.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) { c.String(200, "home") })
	app := httptest.NewServer(r)
	defer app.Close()
	page, err := gintest.NewBrowser().Get(app.URL + "/login/fake")
	if err != nil {
		t.Fatal(err)
	}
	if hookErr != nil || got != "grace" {
		t.Fatalf("Identity in OnLogin: %q, %v (page %d %q); want grace", got, hookErr, page.StatusCode, page.Body)
	}
}
