package apple_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/apple"
)

// appleApp mounts b on an engine with a cookie session; got holds the
// last error its OnError saw.
func appleApp(b *blueprint.Blueprint) (*gin.Engine, *error) {
	gin.SetMode(gin.TestMode)
	got := new(error)
	b.OnError(func(c *gin.Context, err error) { *got = err; blueprint.DefaultErrorHandler(c, err) })
	r := gin.New()
	r.Use(sessions.Sessions("s", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"))))
	b.Mount(r.Group("/login"))
	return r, got
}

// The blueprint's ClientSecret is a fixed placeholder and the signed client
// secret changes every SecretLifetime, so the pending-login cookie key is
// derived from the team's private key instead: an app with the same key
// (another replica, signing its secrets at another time) opens the pending
// login; one with another key, though it has the same placeholder, does
// not (ErrStateMismatch).
func TestPendingLoginKeyIsDerivedFromThePrivateKey(t *testing.T) {
	k, p8 := key(t)
	_, otherKey := key(t)
	f := appleFake(t, &k.PublicKey, gintest.OIDCOptions{})
	noFormPost := apple.Config{Scopes: []string{}}
	derived := func(pemKey []byte, cfg apple.Config) *blueprint.Blueprint {
		cfg = appleConfig(f, pemKey, cfg)
		cfg.LoginCookieKey = nil
		return apple.New(cfg).Blueprint
	}
	a, _ := appleApp(derived(p8, noFormPost))

	req := httptest.NewRequest(http.MethodGet, "/login/apple", nil)
	w := httptest.NewRecorder()
	a.ServeHTTP(w, req)
	if w.Code != http.StatusFound {
		t.Fatalf("login start: %d %s", w.Code, w.Body.String())
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 || !strings.HasPrefix(cookies[0].Name, "gindance-login.apple.") {
		t.Fatalf("login start set %v; want one pending-login cookie", cookies)
	}
	loc, _ := url.Parse(w.Header().Get("Location"))
	denial := "/login/apple/authorized?error=access_denied&state=" + url.QueryEscape(loc.Query().Get("state"))

	opens := func(b *blueprint.Blueprint) bool {
		t.Helper()
		r, got := appleApp(b)
		req := httptest.NewRequest(http.MethodGet, denial, nil)
		req.AddCookie(cookies[0])
		r.ServeHTTP(httptest.NewRecorder(), req)
		var ae *blueprint.AuthError
		switch {
		case errors.As(*got, &ae): // the denial is looked at after the pending login is found
			return true
		case errors.Is(*got, blueprint.ErrStateMismatch):
			return false
		}
		t.Fatalf("callback: %v", *got)
		return false
	}
	later := noFormPost
	later.SecretLifetime = time.Hour
	later.Now = func() time.Time { return time.Now().Add(48 * time.Hour) }
	if !opens(derived(p8, later)) {
		t.Fatal("a replica with the same private key could not open the pending login")
	}
	if opens(derived(otherKey, noFormPost)) {
		t.Fatal("an app with another private key opened the pending login: the key came from the placeholder")
	}
}
