package interop

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// gindanceApp is a small Gin app with one blueprint mounted at
// /login/<name>, the way a user's app mounts it, and routes that show the
// test what the app sees:
//
//	GET  /              "authorized=<bool>"
//	GET  /token         the stored token as JSON
//	GET  /api?path=P    Client(c).GetJSON(P), as JSON
//	POST /api?path=P    Client(c).Post(P) with the request's form, the answer as it came
//	GET  /logout        Logout: forget the token and revoke it where the provider can
//
// OnError keeps every error the blueprint reported and then answers with
// blueprint.DefaultErrorHandler.
type gindanceApp struct {
	URL string
	bp  *blueprint.Blueprint

	mu   sync.Mutex
	errs []error
}

func startApp(t *testing.T, bp *blueprint.Blueprint) *gindanceApp {
	t.Helper()
	gin.SetMode(gin.TestMode)
	a := &gindanceApp{bp: bp}
	r := gin.New()
	r.Use(sessions.Sessions("interop", cookie.NewStore(
		[]byte("interop-hash-key-0123456789abcdef"), []byte("interop-block-key-0123456789abcd"))))
	bp.OnError(func(c *gin.Context, err error) {
		a.mu.Lock()
		a.errs = append(a.errs, err)
		a.mu.Unlock()
		blueprint.DefaultErrorHandler(c, err)
	})
	bp.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "authorized=%v", bp.Authorized(c)) })
	r.GET("/token", func(c *gin.Context) {
		tok, err := bp.Token(c)
		if err != nil || tok == nil {
			c.String(http.StatusUnauthorized, "no token: %v", err)
			return
		}
		c.JSON(http.StatusOK, tok)
	})
	r.GET("/api", func(c *gin.Context) {
		var v any
		if err := bp.Client(c).GetJSON(c.Query("path"), &v); err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.JSON(http.StatusOK, v)
	})
	r.POST("/api", func(c *gin.Context) {
		if err := c.Request.ParseForm(); err != nil {
			c.String(http.StatusBadRequest, "%v", err)
			return
		}
		resp, err := bp.Client(c).Post(c.Query("path"), "application/x-www-form-urlencoded",
			strings.NewReader(c.Request.PostForm.Encode()))
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		c.Data(resp.StatusCode, resp.Header.Get("Content-Type"), body)
	})
	r.GET("/logout", func(c *gin.Context) {
		if err := bp.Logout(c); err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "logged out")
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	return a
}

// lastErr returns the last error OnError saw, failing the test when there
// was none.
func (a *gindanceApp) lastErr(t *testing.T) error {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.errs) == 0 {
		t.Fatal("OnError was not called")
	}
	return a.errs[len(a.errs)-1]
}

// authorized reports what GET / says for b's session.
func (a *gindanceApp) authorized(t *testing.T, b *gintest.Browser) bool {
	t.Helper()
	page, err := b.Get(a.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	switch page.Body {
	case "authorized=true":
		return true
	case "authorized=false":
		return false
	}
	t.Fatalf("GET /: %d %q", page.StatusCode, page.Body)
	return false
}

// token returns the token the app stored for b's session.
func (a *gindanceApp) token(t *testing.T, b *gintest.Browser) blueprint.Token {
	t.Helper()
	var tok blueprint.Token
	getJSON(t, b.Client, a.URL+"/token", &tok)
	return tok
}

// api calls GET /api?path=p and decodes what the app's Client got.
func (a *gindanceApp) api(t *testing.T, b *gintest.Browser, p string) map[string]any {
	t.Helper()
	var v map[string]any
	getJSON(t, b.Client, a.URL+"/api?path="+url.QueryEscape(p), &v)
	return v
}

// consentForm matches the consent page of testdata/authlib_server.py: a
// form that posts back to the page's own URL with a name and a button.
var consentForm = regexp.MustCompile(`<form method="post">[\s\S]*name="username"[\s\S]*name="confirm" value="yes"`)

// consent fills in the server's consent page on page as a person would:
// types name and presses Allow (allow) or Deny, then follows the redirects.
func consent(t *testing.T, b *gintest.Browser, page *gintest.Page, name string, allow bool) *gintest.Page {
	t.Helper()
	if page.StatusCode != http.StatusOK || !consentForm.MatchString(page.Body) {
		t.Fatalf("expected the consent page at %v, got %d: %.500s", page.URL, page.StatusCode, page.Body)
	}
	form := url.Values{"username": {name}, "confirm": {"yes"}}
	if !allow {
		form = url.Values{"confirm": {"no"}}
	}
	next, err := b.PostForm(page.URL.String(), form) // no action attribute: the page's URL
	if err != nil {
		t.Fatal(err)
	}
	return next
}

// decodeJSON decodes s into v or fails the test.
func decodeJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v: %.500s", err, s)
	}
}

// providerError returns err as a *blueprint.ProviderError or fails.
func providerError(t *testing.T, err error) *blueprint.ProviderError {
	t.Helper()
	var pe *blueprint.ProviderError
	if !errors.As(err, &pe) {
		t.Fatalf("got %T %v, want a *blueprint.ProviderError", err, err)
	}
	return pe
}
