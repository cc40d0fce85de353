package oidc_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/oidc"
)

// A login against an OpenID Connect provider, here gintest's fake one: the
// blueprint discovers the provider's endpoints from its issuer (Discover
// checks that at startup), and after the login Claims holds the id_token's
// verified claims and Identity the user they name.
func Example() {
	p := gintest.StartOIDCProvider(gintest.OIDCOptions{
		User: &gintest.User{ID: "u-42", Login: "ada", Name: "Ada Lovelace", Email: "ada@example.test", EmailVerified: true},
	})
	defer p.Close()

	b := oidc.New("idp", oidc.Config{
		Issuer:       p.Issuer(),
		ClientID:     gintest.DefaultClientID,
		ClientSecret: gintest.DefaultClientSecret,
		Scopes:       []string{"profile", "email"},
	})
	if err := b.Discover(context.Background()); err != nil { // a wrong issuer stops the app here
		panic(err)
	}

	r := gin.New()
	// Test keys; a real app loads 32 random bytes each from its secrets.
	store := cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210"))
	r.Use(sessions.Sessions("app", store))
	b.Mount(r.Group("/login"))
	r.GET("/profile", b.Require(), func(c *gin.Context) {
		claims, err := b.Claims(c)
		if err != nil {
			c.String(http.StatusBadGateway, "claims: %v", err)
			return
		}
		id, err := b.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "identity: %v", err)
			return
		}
		c.String(http.StatusOK, "sub %v, %s <%s>, verified %v", claims["sub"], id.Name, id.Email, id.EmailVerified)
	})
	app := httptest.NewServer(r)
	defer app.Close()

	page, err := gintest.NewBrowser().Get(app.URL + "/profile")
	if err != nil {
		panic(err)
	}
	fmt.Println(page.URL.Path, page.StatusCode)
	fmt.Println(page.Body)
	// Output:
	// /profile 200
	// sub u-42, Ada Lovelace <ada@example.test>, verified true
}
