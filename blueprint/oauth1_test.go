package blueprint_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// oauth1Fixture is an app with an OAuth 1.0a blueprint against the fake
// OAuth 1.0a provider, which verifies every signature.
type oauth1Fixture struct {
	p       *gintest.OAuth1Provider
	b       *blueprint.Blueprint
	app     *httptest.Server
	browser *gintest.Browser

	mu   sync.Mutex
	errs []error
}

func newOAuth1Fixture(t *testing.T, tweak ...func(*blueprint.OAuth1Config)) *oauth1Fixture {
	t.Helper()
	f := &oauth1Fixture{p: gintest.StartOAuth1Provider(gintest.OAuth1Options{}), browser: gintest.NewBrowser()}
	t.Cleanup(f.p.Close)
	cfg := f.p.OAuth1Config()
	for _, fn := range tweak {
		fn(&cfg)
	}
	f.b = blueprint.NewOAuth1("tw", cfg)
	f.b.OnError(func(c *gin.Context, err error) {
		f.mu.Lock()
		f.errs = append(f.errs, err)
		f.mu.Unlock()
		blueprint.DefaultErrorHandler(c, err)
	})
	r := newEngine()
	f.b.Mount(r.Group("/login"))
	r.GET("/me", f.b.Require(), func(c *gin.Context) {
		var me struct {
			ScreenName string `json:"screen_name"`
		}
		if err := f.b.Client(c).GetJSON("account/verify_credentials.json", &me); err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		tok, _ := f.b.Token(c)
		c.String(http.StatusOK, "%s secret=%v extra=%v", me.ScreenName, tok.TokenSecret != "", tok.Extra["screen_name"])
	})
	r.GET("/post", func(c *gin.Context) {
		resp, err := f.b.Client(c).Post("statuses/update.json", "application/x-www-form-urlencoded",
			strings.NewReader(url.Values{"status": {"hello & good bye"}}.Encode()))
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		defer resp.Body.Close()
		c.DataFromReader(resp.StatusCode, resp.ContentLength, resp.Header.Get("Content-Type"), resp.Body, nil)
	})
	r.GET("/foreign", func(c *gin.Context) {
		_, err := f.b.Client(c).Get("https://evil.example/steal")
		c.String(http.StatusOK, "%v", errors.Is(err, blueprint.ErrForeignHost))
	})
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "home authorized=%v", f.b.Authorized(c)) })
	f.app = httptest.NewServer(r)
	t.Cleanup(f.app.Close)
	return f
}

func (f *oauth1Fixture) lastErr(t *testing.T) error {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.errs) == 0 {
		t.Fatal("OnError did not run")
	}
	return f.errs[len(f.errs)-1]
}

// TestOAuth1LoginAndSignedRequests: RFC 5849 §2 three-legged flow, then
// signed API requests (§3), every one verified by the fake provider.
// It runs with the pending login in a cookie sealed under the key derived
// from the consumer secret (the default), under an explicit LoginCookieKey,
// and in the session (PendingLoginsInSession).
func TestOAuth1LoginAndSignedRequests(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tweak  func(c *blueprint.OAuth1Config)
		cookie bool // the pending login waits in a cookie of its own
	}{
		{"derived key", func(c *blueprint.OAuth1Config) { c.LoginCookieKey = nil }, true},
		{"LoginCookieKey", func(c *blueprint.OAuth1Config) { c.LoginCookieKey = testLoginKey }, true},
		{"PendingLoginsInSession", func(c *blueprint.OAuth1Config) { c.PendingLoginsInSession, c.LoginCookieKey = true, nil }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newOAuth1Fixture(t, tc.tweak)
			page, err := f.browser.NoFollow().Get(f.app.URL + "/login/tw")
			if err != nil || page.StatusCode != http.StatusFound {
				t.Fatalf("login start: %v %+v", err, page)
			}
			lines := strings.Join(page.Header.Values("Set-Cookie"), "\n")
			if strings.Contains(lines, "gindance-login.tw.") != tc.cookie {
				t.Fatalf("login start set %q", lines)
			}
			testOAuth1LoginAndSignedRequests(t, f)
		})
	}
}

func testOAuth1LoginAndSignedRequests(t *testing.T, f *oauth1Fixture) {
	page, err := f.browser.Get(f.app.URL + "/login/tw?next=/me")
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != http.StatusOK || page.Body != "ada secret=true extra=ada" {
		t.Fatalf("after login: %d %q", page.StatusCode, page.Body)
	}
	page, err = f.browser.Get(f.app.URL + "/post")
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, `"text":"hello \u0026 good bye"`) {
		t.Fatalf("signed form POST: %d %q", page.StatusCode, page.Body)
	}
	if n := f.p.Rejected(); n != 0 {
		t.Fatalf("the provider rejected %d requests", n)
	}
	page, _ = f.browser.Get(f.app.URL + "/foreign")
	if page.Body != "true" {
		t.Fatalf("request to a foreign host: ErrForeignHost=%s", page.Body)
	}
}

// TestOAuth1RedirectCarriesOnlyTheRequestToken: the request token secret
// stays server-side; the browser is sent to the provider with the request
// token alone (RFC 5849 §2.2).
func TestOAuth1RedirectCarriesOnlyTheRequestToken(t *testing.T) {
	f := newOAuth1Fixture(t)
	page, err := f.browser.NoFollow().Get(f.app.URL + "/login/tw")
	if err != nil {
		t.Fatal(err)
	}
	loc, err := url.Parse(page.Header.Get("Location"))
	if err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("login start: %d %q", page.StatusCode, page.Header.Get("Location"))
	}
	if !strings.HasPrefix(loc.String(), f.p.AuthorizeURL()+"?") {
		t.Fatalf("redirect to %s, want the provider's authorize URL", loc)
	}
	if q := loc.Query(); len(q) != 1 || !strings.HasPrefix(q.Get("oauth_token"), "rt_") {
		t.Fatalf("authorize URL query %v, want only oauth_token", q)
	}
}

func TestOAuth1ValidateNamesTheMissingSecret(t *testing.T) {
	b := blueprint.NewOAuth1("tw", blueprint.OAuth1Config{ConsumerKey: "k",
		RequestTokenURL: "https://x.example/rt", AuthorizeURL: "https://x.example/a", AccessTokenURL: "https://x.example/at"})
	err := b.Validate()
	if !errors.Is(err, blueprint.ErrConfig) || !strings.Contains(err.Error(), "ConsumerSecret") {
		t.Fatalf("Validate: %v", err)
	}
}
