package google_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/google"
)

type app struct {
	p    *gintest.OIDCProvider
	srv  *httptest.Server
	errs []error
}

func start(t *testing.T, claims map[string]any, cfg google.Config) *app {
	gin.SetMode(gin.TestMode)
	a := &app{p: gintest.StartOIDCProvider(gintest.OIDCOptions{Claims: claims})}
	t.Cleanup(a.p.Close)
	t.Setenv("GOOGLE_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("GOOGLE_CLIENT_SECRET", gintest.DefaultClientSecret)
	cfg.Issuer = a.p.Issuer()
	g := google.New(cfg)
	g.OnError(func(c *gin.Context, err error) { a.errs = append(a.errs, err); blueprint.DefaultErrorHandler(c, err) })
	r := gin.New()
	r.Use(sessions.Sessions("s", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"))))
	g.Mount(r.Group("/login"))
	r.GET("/", g.Require(), func(c *gin.Context) {
		claims, err := g.Claims(c)
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "%v %v", claims["email"], claims["hd"])
	})
	a.srv = httptest.NewServer(r)
	t.Cleanup(a.srv.Close)
	return a
}

// TestHostedDomainIsEnforced: hd in the request only preselects; the
// verified hd claim must match (Google's OpenID Connect docs).
func TestHostedDomainIsEnforced(t *testing.T) {
	a := start(t, map[string]any{"hd": "example.com"}, google.Config{HostedDomain: "example.com"})
	page, err := gintest.NewBrowser().Get(a.srv.URL + "/")
	if err != nil || page.Body != "alice@example.test example.com" {
		t.Fatalf("workspace user: %v %d %q", err, page.StatusCode, page.Body)
	}

	a = start(t, map[string]any{"hd": "evil.example"}, google.Config{HostedDomain: "example.com"})
	page, _ = gintest.NewBrowser().Get(a.srv.URL + "/")
	if page.StatusCode != http.StatusBadGateway || len(a.errs) != 1 || !errors.Is(a.errs[0], google.ErrHostedDomain) {
		t.Fatalf("other domain: %d %v", page.StatusCode, a.errs)
	}

	a = start(t, nil, google.Config{HostedDomain: "example.com"}) // a consumer account has no hd
	page, _ = gintest.NewBrowser().Get(a.srv.URL + "/")
	if page.StatusCode != http.StatusBadGateway || len(a.errs) != 1 || !errors.Is(a.errs[0], google.ErrHostedDomain) {
		t.Fatalf("no hd: %d %v", page.StatusCode, a.errs)
	}
}

// TestAuthorizationParameters: offline access asks consent, select_account
// adds to the prompt, hd is sent, and the OIDC nonce is there.
func TestAuthorizationParameters(t *testing.T) {
	a := start(t, nil, google.Config{Offline: true, SelectAccount: true, HostedDomain: "example.com"})
	page, err := gintest.NewBrowser().NoFollow().Get(a.srv.URL + "/login/google")
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := url.Parse(page.Header.Get("Location"))
	q := loc.Query()
	if q.Get("access_type") != "offline" || q.Get("prompt") != "consent select_account" || q.Get("hd") != "example.com" ||
		q.Get("nonce") == "" || q.Get("scope") != "openid profile email" {
		t.Fatalf("authorization request %v", q)
	}
}
