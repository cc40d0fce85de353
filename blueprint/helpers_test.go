package blueprint_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

func init() { gin.SetMode(gin.TestMode) }

// Test keys only: real apps load 32- or 64-byte random keys from secrets.
var (
	testHashKey  = []byte("0123456789abcdef0123456789abcdef")
	testBlockKey = []byte("fedcba9876543210fedcba9876543210")
)

// newEngine returns a Gin engine with a cookie session, as an app would set
// it up.
func newEngine() *gin.Engine {
	r := gin.New()
	store := cookie.NewStore(testHashKey, testBlockKey)
	store.Options(sessions.Options{Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	r.Use(sessions.Sessions("gindance", store))
	return r
}

// serve runs one request against h with the given cookies and returns the
// recorder.
func serve(h http.Handler, method, target string, cookies []*http.Cookie, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// mergeCookies updates jar with the Set-Cookie lines of w.
func mergeCookies(jar []*http.Cookie, w *httptest.ResponseRecorder) []*http.Cookie {
	for _, nc := range w.Result().Cookies() {
		replaced := false
		for i, c := range jar {
			if c.Name == nc.Name {
				jar[i], replaced = nc, true
			}
		}
		if !replaced {
			jar = append(jar, nc)
		}
	}
	return jar
}

// staticConfig is an OAuth 2.0 config whose endpoints are never reached.
// It pins testLoginKey, as gintest's configs pin a key of their own, so
// that only the tests that are about the derived key pay its derivation
// (withDerivedKey).
func staticConfig(api string) blueprint.OAuth2Config {
	return blueprint.OAuth2Config{
		ClientID: "client", ClientSecret: "test-client-secret",
		AuthURL: "https://idp.example/authorize", TokenURL: "https://idp.example/token",
		APIBaseURL: api, Options: blueprint.Options{LoginCookieKey: testLoginKey},
	}
}

// withDerivedKey is the tweak that leaves LoginCookieKey unset, so that
// pending logins are sealed under the key derived from the client's secret
// (the default; Argon2id, about 100 ms of CPU per blueprint): for the tests
// that are about that key.
func withDerivedKey(c *blueprint.OAuth2Config) { c.LoginCookieKey = nil }

func mustContain(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Fatalf("%q does not contain %q", s, sub)
	}
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// testLoginKey is a LoginCookieKey for tests only.
var testLoginKey = []byte("0123456789abcdefghijklmnopqrstuv")

// pendingMode is one place a pending login waits between login and
// callback.
type pendingMode struct {
	name  string
	tweak func(*blueprint.OAuth2Config)
}

// withPendingInSession is the tweak that keeps pending logins in the
// user's session (the behaviour before sealed cookies were the default),
// dropping the fixtures' LoginCookieKey, which it may not be set with.
func withPendingInSession(c *blueprint.OAuth2Config) {
	c.PendingLoginsInSession, c.LoginCookieKey = true, nil
}

// pendingModes: a sealed cookie per login (under the fixtures'
// LoginCookieKey; the key derived from the client secret seals the same
// cookies, and pending_default_test.go tests it) and the user's session
// (PendingLoginsInSession).
var pendingModes = []pendingMode{
	{"cookie", func(*blueprint.OAuth2Config) {}},
	{"session", withPendingInSession},
}

// callbackModes are the pendingModes, each with the response delivered in
// the query of a GET (the default) and as a form_post POST (FormPost):
// everything the GET callback refuses, the POST callback refuses too.
var callbackModes = func() []pendingMode {
	var out []pendingMode
	for _, m := range pendingModes {
		out = append(out, m)
		tweak := m.tweak
		out = append(out, pendingMode{m.name + "+form_post", func(c *blueprint.OAuth2Config) {
			tweak(c)
			c.FormPost = true
		}})
	}
	return out
}()

// forEachCallbackMode runs fn once per callbackMode, as a subtest.
func forEachCallbackMode(t *testing.T, fn func(t *testing.T, mode pendingMode)) {
	for _, m := range callbackModes {
		t.Run(m.name, func(t *testing.T) { fn(t, m) })
	}
}

// forEachPendingMode runs fn once per pendingMode, as a subtest.
func forEachPendingMode(t *testing.T, fn func(t *testing.T, mode pendingMode)) {
	for _, m := range pendingModes {
		t.Run(m.name, func(t *testing.T) { fn(t, m) })
	}
}

// fixture is an app with one blueprint against a fake provider, served on
// loopback, and a browser to drive it.
type fixture struct {
	p       *gintest.Provider
	b       *blueprint.Blueprint
	app     *httptest.Server
	browser *gintest.Browser

	formPost bool // the blueprint asks for form_post responses

	mu     sync.Mutex
	errs   []error
	logins int
}

func newFixture(t *testing.T, opts gintest.Options, tweak ...func(*blueprint.OAuth2Config)) *fixture {
	t.Helper()
	if opts.User == nil {
		opts.User = &gintest.User{ID: "u-1", Login: "alice", Name: "Alice", Email: "alice@example.test", EmailVerified: true}
	}
	f := &fixture{p: gintest.StartProvider(opts), browser: gintest.NewBrowser()}
	t.Cleanup(f.p.Close)
	f.b = f.p.NewBlueprint("fake", append(tweak, func(c *blueprint.OAuth2Config) { f.formPost = c.FormPost })...)
	f.b.OnError(func(c *gin.Context, err error) {
		f.mu.Lock()
		f.errs = append(f.errs, err)
		f.mu.Unlock()
		blueprint.DefaultErrorHandler(c, err)
	})
	f.b.OnLogin(func(c *gin.Context, tok *blueprint.Token) error {
		f.mu.Lock()
		f.logins++
		f.mu.Unlock()
		return nil
	})
	r := newEngine()
	f.b.Mount(r.Group("/login"))
	r.GET("/me", f.b.Require(), func(c *gin.Context) {
		id, err := f.b.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "identity: %v", err)
			return
		}
		c.String(http.StatusOK, id.Username)
	})
	r.GET("/api", func(c *gin.Context) {
		var me map[string]any
		if err := f.b.Client(c).GetJSON("me", &me); err != nil {
			c.String(http.StatusUnauthorized, "%v", err)
			return
		}
		c.String(http.StatusOK, "%v", me["login"])
	})
	r.GET("/logout", func(c *gin.Context) {
		if err := f.b.Logout(c); err != nil {
			c.String(http.StatusInternalServerError, "%v", err)
			return
		}
		c.String(http.StatusOK, "bye")
	})
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "home authorized=%v", f.b.Authorized(c)) })
	f.app = httptest.NewServer(r)
	t.Cleanup(f.app.Close)
	return f
}

func (f *fixture) lastErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.errs) == 0 {
		return nil
	}
	return f.errs[len(f.errs)-1]
}

// startLogin follows the login to the provider's callback redirect and
// returns the callback URL, without visiting it.
func (f *fixture) startLogin(t *testing.T, next string) string {
	t.Helper()
	nf := f.browser.NoFollow()
	target := f.app.URL + "/login/fake"
	if next != "" {
		target += "?next=" + url.QueryEscape(next)
	}
	page, err := nf.Get(target)
	if err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("login start: %v %v", err, page)
	}
	page, err = nf.Get(page.Header.Get("Location"))
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	return responseURL(t, page)
}

// deliver sends the authorization response in cb to the callback in the
// fixture's response mode, from browser br.
func (f *fixture) deliver(br *gintest.Browser, cb string) (*gintest.Page, error) {
	return deliver(br, cb, f.formPost)
}

func (f *fixture) get(t *testing.T, path string) *gintest.Page {
	t.Helper()
	page, err := f.browser.Get(f.app.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	return page
}
