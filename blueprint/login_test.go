package blueprint_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

func TestLoginRedirectsWithStatePKCEAndParams(t *testing.T) {
	cfg := staticConfig("https://api.example/")
	cfg.Scopes = []string{"read", "write"}
	cfg.AuthParams = map[string]string{"prompt": "consent"}
	b := blueprint.NewOAuth2("idp", cfg)
	r := newEngine()
	b.Mount(r.Group("/login"))
	w := serve(r, "GET", "http://app.example/login/idp?next=/after", nil)
	if w.Code != http.StatusFound {
		t.Fatalf("status %d", w.Code)
	}
	loc, _ := url.Parse(w.Header().Get("Location"))
	q := loc.Query()
	if loc.Host != "idp.example" || loc.Path != "/authorize" {
		t.Fatalf("Location %s", loc)
	}
	want := map[string]string{
		"client_id": "client", "response_type": "code", "scope": "read write", "prompt": "consent",
		"redirect_uri": "http://app.example/login/idp/authorized", "code_challenge_method": "S256",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q; want %q", k, q.Get(k), v)
		}
	}
	// RFC 9700 §2.1: state of high entropy (32 bytes) and a PKCE challenge.
	if len(q.Get("state")) != 43 || len(q.Get("code_challenge")) != 43 {
		t.Errorf("state %q, code_challenge %q", q.Get("state"), q.Get("code_challenge"))
	}
	if got := w.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q", got)
	}
	if len(w.Result().Cookies()) != 1 {
		t.Fatalf("want the session cookie set")
	}
}

func TestLoginWithoutPKCEWhenOptedOut(t *testing.T) {
	cfg := staticConfig("")
	cfg.InsecureSkipPKCE = true
	b := blueprint.NewOAuth2("idp", cfg)
	r := newEngine()
	b.Mount(r)
	loc, _ := url.Parse(serve(r, "GET", "/idp", nil).Header().Get("Location"))
	if loc.Query().Has("code_challenge") {
		t.Fatal("code_challenge sent despite InsecureSkipPKCE")
	}
}

// With pending logins in the session, a login start without the session
// middleware names it. (Sealed login cookies, the default, need no session
// to start a login: TestLoginCookieWithoutSessionMiddleware.)
func TestMissingSessionMiddlewareNamesIt(t *testing.T) {
	cfg := staticConfig("")
	withPendingInSession(&cfg)
	b := blueprint.NewOAuth2("idp", cfg)
	var seen error
	b.OnError(func(c *gin.Context, err error) { seen = err; c.String(500, "x") })
	r := gin.New()
	b.Mount(r.Group("/login"))
	w := serve(r, "GET", "/login/idp", nil)
	if !errors.Is(seen, blueprint.ErrNoSession) || w.Code != 500 {
		t.Fatalf("err = %v, status %d", seen, w.Code)
	}
	mustContain(t, seen.Error(), "sessions.Sessions")
}

func TestMountPanicsOnMissingClientID(t *testing.T) {
	cfg := staticConfig("")
	cfg.ClientID = ""
	b := blueprint.NewOAuth2("idp", cfg)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "ClientID") {
			t.Fatalf("recover() = %v", r)
		}
	}()
	b.Mount(gin.New())
}

func TestBeforeLoginCanStopTheLogin(t *testing.T) {
	b := blueprint.NewOAuth2("idp", staticConfig(""))
	b.BeforeLogin(func(c *gin.Context) { c.AbortWithStatus(http.StatusTeapot) })
	r := newEngine()
	b.Mount(r)
	if w := serve(r, "GET", "/idp", nil); w.Code != http.StatusTeapot || w.Header().Get("Location") != "" {
		t.Fatalf("status %d", w.Code)
	}
}

func TestRedirectURIFromTrustedProxyOnly(t *testing.T) {
	b := blueprint.NewOAuth2("idp", staticConfig(""))
	r := newEngine()
	if err := r.SetTrustedProxies([]string{"10.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	b.Mount(r.Group("/auth"))
	try := func(remote string) string {
		req, _ := http.NewRequest("GET", "http://internal:8080/auth/idp", nil)
		req.RemoteAddr = remote + ":1234"
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("X-Forwarded-Host", "app.example")
		w := newRecorder()
		r.ServeHTTP(w, req)
		loc, _ := url.Parse(w.Header().Get("Location"))
		return loc.Query().Get("redirect_uri")
	}
	if got := try("10.0.0.1"); got != "https://app.example/auth/idp/authorized" {
		t.Errorf("via trusted proxy: %q", got)
	}
	if got := try("203.0.113.9"); got != "http://internal:8080/auth/idp/authorized" {
		t.Errorf("via untrusted peer: %q", got)
	}
}
