package blueprint_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// RFC 9700 §4.3, RFC 6749 §10.4: the token endpoint and the revocation
// endpoint carry codes, PKCE verifiers and refresh tokens in the request
// body. A 307 or 308 from them to another host would make an HTTP client
// re-post that body there; the exchange, the refresh and the revocation all
// stop at the redirect instead, and the other host sees nothing.
func TestAttackTokenEndpointRedirectToForeignHostRefused(t *testing.T) {
	foreign := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"stolen","token_type":"Bearer"}`))
	})
	for _, status := range []int{307, 308} {
		for _, op := range []string{"exchange", "refresh", "revoke"} {
			t.Run(fmt.Sprintf("%s %d", op, status), func(t *testing.T) {
				var redirecting sync.Map
				tf := newTokenFixture(t, nil)
				// put a redirecting endpoint in front of the provider's
				front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if _, on := redirecting.Load(r.URL.Path); on {
						http.Redirect(w, r, foreign.URL+r.URL.Path, status)
						return
					}
					tf.p.srv.Config.Handler.ServeHTTP(w, r)
				}))
				t.Cleanup(front.Close)
				b := blueprint.NewOAuth2("fake", blueprint.OAuth2Config{
					ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
					TokenAuth: blueprint.ClientSecretPost,
					AuthURL:   tf.p.AuthURL(), TokenURL: front.URL + "/token", RevocationURL: front.URL + "/revoke",
					APIBaseURL: tf.p.APIBaseURL(), Options: blueprint.Options{LoginCookieKey: testLoginKey},
				})
				stopsAtRedirect(t, b, op, func(path string) { redirecting.Store(path, true) })
				if n := foreign.hits.Load(); n != 0 {
					t.Fatalf("the foreign host got %d requests: %s", n, <-foreign.auths)
				}
			})
		}
	}
}

// stopsAtRedirect runs the provider call op ("exchange", "refresh",
// "revoke" or "par") of a login with b in an app, calling redirect with
// the endpoint's path just before the call is made, and fails t unless the
// call stopped with ErrForeignHost as the user sees it: the login's 502,
// no token after a refresh, Logout's ErrRevoke.
func stopsAtRedirect(t *testing.T, b *blueprint.Blueprint, op string, redirect func(path string)) {
	t.Helper()
	var lastErr, logoutErr error
	b.OnError(func(c *gin.Context, err error) { lastErr = err; blueprint.DefaultErrorHandler(c, err) })
	r := newEngine()
	b.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) {
		tok, err := b.Token(c)
		if err != nil {
			lastErr = err
		}
		c.String(http.StatusOK, "authorized=%v", err == nil && tok != nil)
	})
	r.GET("/logout", func(c *gin.Context) { logoutErr = b.Logout(c); c.String(http.StatusOK, "bye") })
	app := httptest.NewServer(r)
	t.Cleanup(app.Close)
	br := gintest.NewBrowser()
	login := func() {
		t.Helper()
		if page, err := br.Get(app.URL + "/login/" + b.Name()); err != nil || page.Body != "authorized=true" {
			t.Fatalf("login: %v %+v %v", err, page, lastErr)
		}
	}
	switch op {
	case "exchange", "par":
		redirect(map[string]string{"exchange": "/token", "par": "/par"}[op])
		page, err := br.Get(app.URL + "/login/" + b.Name())
		if err != nil {
			t.Fatal(err)
		}
		if page.StatusCode != http.StatusBadGateway || !errors.Is(lastErr, blueprint.ErrForeignHost) {
			t.Fatalf("%s: page %d %q, OnError %v; want 502 and ErrForeignHost", op, page.StatusCode, page.Body, lastErr)
		}
	case "refresh":
		login()
		redirect("/token")
		page, err := br.Get(app.URL + "/") // a token within the leeway: refresh
		if err != nil {
			t.Fatal(err)
		}
		if page.Body != "authorized=false" || !errors.Is(lastErr, blueprint.ErrForeignHost) {
			t.Fatalf("refresh: page %q, error %v; want no token and ErrForeignHost", page.Body, lastErr)
		}
	case "revoke":
		login()
		redirect("/revoke")
		if page, err := br.Get(app.URL + "/logout"); err != nil || page.Body != "bye" {
			t.Fatalf("logout: %v %+v", err, page)
		}
		if !errors.Is(logoutErr, blueprint.ErrRevoke) || !errors.Is(logoutErr, blueprint.ErrForeignHost) {
			t.Fatalf("logout error %v; want ErrRevoke wrapping ErrForeignHost", logoutErr)
		}
	default:
		t.Fatalf("unknown op %q", op)
	}
}
