package blueprint_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// withLoginKey is the tweak that keeps pending logins in sealed cookies.
func withLoginKey(c *blueprint.OAuth2Config) { c.LoginCookieKey = testLoginKey }

// loginCookies returns the pending-login cookies the browser would send to
// the blueprint's login path.
func loginCookies(f *fixture) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range f.browser.Cookies(f.app.URL + "/login/fake") {
		if strings.Contains(c.Name, "gindance-login.") {
			out = append(out, c)
		}
	}
	return out
}

// The login start sets one cookie of its own, sealed, HttpOnly, Lax,
// scoped to the blueprint and expiring with the login, and leaves the
// session alone; the callback drops it (single use) and stores the token.
func TestLoginCookieIsScopedSealedAndSingleUse(t *testing.T) {
	f := newFixture(t, gintest.Options{}, withLoginKey)
	nf := f.browser.NoFollow()
	page, err := nf.Get(f.app.URL + "/login/fake?next=/me")
	if err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("login start: %v %+v", err, page)
	}
	lines := page.Header.Values("Set-Cookie")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "gindance-login.fake.") {
		t.Fatalf("login start set %q; want one pending-login cookie and no session", lines)
	}
	for _, attr := range []string{"Path=/login/fake;", "Max-Age=600", "HttpOnly", "SameSite=Lax"} {
		mustContain(t, lines[0], attr)
	}
	state := queryOf(t, page.Header.Get("Location")).Get("state")
	name, value, _ := strings.Cut(strings.SplitN(lines[0], ";", 2)[0], "=")
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || strings.Contains(name+value, state) || strings.Contains(string(raw), `"r":`) || strings.Contains(string(raw), "/me") {
		t.Fatalf("the cookie is not sealed: %s=%s (%v)", name, value, err)
	}

	page, err = nf.Get(page.Header.Get("Location"))
	if err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %v %+v", err, page)
	}
	cb := page.Header.Get("Location")
	page, err = nf.Get(cb)
	if err != nil || page.StatusCode != http.StatusFound || page.Header.Get("Location") != "/me" {
		t.Fatalf("callback: %v %+v", err, page)
	}
	if got := loginCookies(f); len(got) != 0 {
		t.Fatalf("the pending-login cookie survived the callback: %v", got)
	}
	if got := f.get(t, "/me").Body; got != "alice" {
		t.Fatalf("after login: %q", got)
	}
	if page, _ := f.browser.Get(cb); page.StatusCode != http.StatusBadRequest || !errors.Is(f.lastErr(), blueprint.ErrStateMismatch) {
		t.Fatalf("replayed callback: %d %v", page.StatusCode, f.lastErr())
	}
	if n := f.p.Calls(gintest.EndpointToken); n != 1 {
		t.Fatalf("token endpoint calls = %d", n)
	}
}

// Two tabs whose login requests leave the browser before either answer
// arrives: each answer is applied to the jar in turn, as a browser does.
// With sealed cookies both logins complete. With the session, the second
// answer's session cookie replaces the first's, and the first tab's login
// is lost (a limitation docs/sessions.md names).
func TestConcurrentLoginStartsInTwoTabs(t *testing.T) {
	forEachPendingMode(t, func(t *testing.T, mode pendingMode) {
		f := newFixture(t, gintest.Options{}, mode.tweak)
		bare := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		var answers []*http.Response
		for range 2 {
			resp, err := bare.Get(f.app.URL + "/login/fake?next=/me")
			if err != nil || resp.StatusCode != http.StatusFound {
				t.Fatalf("login start: %v %v", err, resp)
			}
			resp.Body.Close()
			answers = append(answers, resp)
		}
		app, _ := url.Parse(f.app.URL + "/login/fake")
		var cbs []string
		for _, resp := range answers {
			f.browser.Client.Jar.SetCookies(app, resp.Cookies())
			page, err := f.browser.NoFollow().Get(resp.Header.Get("Location"))
			if err != nil || page.StatusCode != http.StatusFound {
				t.Fatalf("authorize: %v %+v", err, page)
			}
			cbs = append(cbs, page.Header.Get("Location"))
		}
		first, _ := f.browser.Get(cbs[0])
		second, _ := f.browser.Get(cbs[1])
		if second.StatusCode != http.StatusOK || second.Body != "alice" {
			t.Fatalf("second tab: %d %q", second.StatusCode, second.Body)
		}
		switch mode.name {
		case "cookie":
			if first.StatusCode != http.StatusOK || first.Body != "alice" {
				t.Fatalf("first tab: %d %q", first.StatusCode, first.Body)
			}
		case "session":
			if first.StatusCode != http.StatusBadRequest {
				t.Fatalf("first tab: %d %q; the session keeps only the last answer's logins", first.StatusCode, first.Body)
			}
		}
	})
}

// A pending-login cookie whose value was altered, or moved under another
// login's name, or sealed under another key (another app, or a key since
// rotated) does not open: 400 ErrStateMismatch, no code exchanged, nobody
// logged in (RFC 9700 §4.7: the state must be bound to the browser's own
// login).
func TestAttackLoginCookieTamperedMovedOrForeignKeyRefused(t *testing.T) {
	refused := func(t *testing.T, f *fixture, cb string) {
		t.Helper()
		page, _ := f.browser.Get(cb)
		if page.StatusCode != http.StatusBadRequest || !errors.Is(f.lastErr(), blueprint.ErrStateMismatch) {
			t.Fatalf("callback: %d %v", page.StatusCode, f.lastErr())
		}
		if n := f.p.Calls(gintest.EndpointToken); n != 0 {
			t.Fatalf("%d codes exchanged", n)
		}
		if page := f.get(t, "/"); page.Body != "home authorized=false" {
			t.Fatalf("logged in: %q", page.Body)
		}
	}
	// set puts a cookie in the browser's jar; an empty value removes it.
	set := func(f *fixture, name, value string) {
		u, _ := url.Parse(f.app.URL + "/login/fake")
		ck := &http.Cookie{Name: name, Value: value, Path: "/login/fake"}
		if value == "" {
			ck.MaxAge = -1
		}
		f.browser.Client.Jar.SetCookies(u, []*http.Cookie{ck})
	}
	t.Run("tampered", func(t *testing.T) {
		f := newFixture(t, gintest.Options{}, withLoginKey)
		cb := f.startLogin(t, "")
		ck := loginCookies(f)[0]
		v := []byte(ck.Value)
		v[len(v)/2] ^= 'A' ^ 'B'
		if v[len(v)/2] == ck.Value[len(v)/2] {
			v[len(v)/2]++
		}
		set(f, ck.Name, string(v))
		refused(t, f, cb)
	})
	t.Run("moved", func(t *testing.T) {
		f := newFixture(t, gintest.Options{}, withLoginKey)
		f.startLogin(t, "")
		a := loginCookies(f)[0]
		cbB := f.startLogin(t, "")
		var b *http.Cookie
		for _, c := range loginCookies(f) {
			if c.Name != a.Name {
				b = c
			}
		}
		set(f, a.Name, "")
		set(f, b.Name, a.Value)
		refused(t, f, cbB)
	})
	t.Run("foreign key", func(t *testing.T) {
		f := newFixture(t, gintest.Options{}, withLoginKey)
		other := newFixture(t, gintest.Options{}, func(c *blueprint.OAuth2Config) {
			c.LoginCookieKey = []byte("another key, 32 bytes long......")
		})
		other.browser = f.browser // one browser; both apps are on 127.0.0.1, so they share cookies
		cb := other.startLogin(t, "")
		u, _ := url.Parse(cb)
		refused(t, f, f.app.URL+u.RequestURI())
	})
}

// keyedApp mounts a LoginCookieKey blueprint named fake on /login of an
// engine without a provider behind it (login starts and callbacks that end
// before the code exchange), with redirectURL as its RedirectURL (its path
// unchecked: the tests play a proxy that rewrites /auth to /login). got holds
// the last error OnError saw.
func keyedApp(redirectURL string) (r *gin.Engine, got *error) {
	b := blueprint.NewOAuth2("fake", blueprint.OAuth2Config{
		ClientID: "client", AuthURL: "https://idp.example/authorize", TokenURL: "https://idp.example/token",
		RedirectURL: redirectURL, PublicClient: true, Options: blueprint.Options{LoginCookieKey: testLoginKey, SkipRedirectPathCheck: true},
	})
	got = new(error)
	b.OnError(func(c *gin.Context, err error) { *got = err; blueprint.DefaultErrorHandler(c, err) })
	r = gin.New()
	b.Mount(r.Group("/login"))
	return r, got
}

// Over HTTPS the cookie is Secure and __Secure- prefixed, and the callback
// takes only the prefixed cookie: a plain one with the same value (which
// an http:// response could have planted) is not looked at. The scheme is
// case-insensitive (RFC 3986 §3.1): HTTPS:// is HTTPS too.
func TestLoginCookieOverHTTPSIsSecurePrefixed(t *testing.T) {
	for _, u := range []string{"https://app.example/auth/fake/authorized", "HTTPS://app.example/auth/fake/authorized"} {
		t.Run(u[:5], func(t *testing.T) { testLoginCookieOverHTTPS(t, u) })
	}
}

func testLoginCookieOverHTTPS(t *testing.T, redirectURL string) {
	r, got := keyedApp(redirectURL)
	w := serve(r, http.MethodGet, "/login/fake", nil)
	line := w.Header().Get("Set-Cookie")
	if w.Code != http.StatusFound || !strings.HasPrefix(line, "__Secure-gindance-login.fake.") {
		t.Fatalf("login start: %d %q", w.Code, line)
	}
	// behind a proxy the browser sees /auth/fake: the cookie follows RedirectURL
	for _, attr := range []string{"Secure", "Path=/auth/fake;", "HttpOnly", "SameSite=Lax"} {
		mustContain(t, line, attr)
	}
	ck := w.Result().Cookies()[0]
	state := queryOf(t, w.Header().Get("Location")).Get("state")
	denied := "/login/fake/authorized?error=access_denied&state=" + url.QueryEscape(state)

	plain := &http.Cookie{Name: strings.TrimPrefix(ck.Name, "__Secure-"), Value: ck.Value}
	if w := serve(r, http.MethodGet, denied, []*http.Cookie{plain}); w.Code != http.StatusBadRequest || !errors.Is(*got, blueprint.ErrStateMismatch) {
		t.Fatalf("plain cookie over HTTPS: %d %v", w.Code, *got)
	}
	w = serve(r, http.MethodGet, denied, []*http.Cookie{{Name: ck.Name, Value: ck.Value}})
	var ae *blueprint.AuthError
	if w.Code != http.StatusForbidden || !errors.As(*got, &ae) {
		t.Fatalf("prefixed cookie: %d %v; want the provider's denial, which comes after the state check", w.Code, *got)
	}
	if !strings.Contains(w.Header().Get("Set-Cookie"), ck.Name+"=; Path=/auth/fake; Max-Age=0") {
		t.Fatalf("the callback did not drop the cookie: %q", w.Header().Values("Set-Cookie"))
	}
}

// Without a RedirectURL the scheme comes from the request: a login started
// and finished over TLS uses the __Secure- cookie, scoped to the mount path.
func TestLoginCookieOverTLSWithoutRedirectURL(t *testing.T) {
	r, got := keyedApp("")
	do := func(target string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "https://app.example"+target, nil) // req.TLS is set
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w
	}
	w := do("/login/fake")
	line := w.Header().Get("Set-Cookie")
	if w.Code != http.StatusFound || !strings.HasPrefix(line, "__Secure-gindance-login.fake.") {
		t.Fatalf("login start: %d %q", w.Code, line)
	}
	mustContain(t, line, "Path=/login/fake;")
	mustContain(t, queryOf(t, w.Header().Get("Location")).Get("redirect_uri"), "https://app.example/login/fake/authorized")
	ck := w.Result().Cookies()[0]
	state := queryOf(t, w.Header().Get("Location")).Get("state")
	w = do("/login/fake/authorized?error=access_denied&state="+url.QueryEscape(state), &http.Cookie{Name: ck.Name, Value: ck.Value})
	var ae *blueprint.AuthError
	if w.Code != http.StatusForbidden || !errors.As(*got, &ae) {
		t.Fatalf("callback over TLS: %d %v; want the provider's denial, which comes after the state check", w.Code, *got)
	}
}

// With sealed cookies a login needs no session at all when tokens are kept
// server-side.
func TestLoginCookieWithoutSessionMiddleware(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u-1", Login: "alice"}})
	t.Cleanup(p.Close)
	b := p.NewBlueprint("fake", withLoginKey)
	store := gintest.NewMemoryStorage(nil)
	b.SetStorage(store)
	r := gin.New() // no sessions.Sessions
	b.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "authorized=%v", b.Authorized(c)) })
	app := httptest.NewServer(r)
	t.Cleanup(app.Close)
	page, err := gintest.NewBrowser().Get(app.URL + "/login/fake")
	if err != nil || page.StatusCode != http.StatusOK || page.Body != "authorized=true" {
		t.Fatalf("login: %v %d %q", err, page.StatusCode, page.Body)
	}
}

// A pending login that cannot fit a cookie (here: a 5,000-byte Host header
// makes the redirect URI) is a clear 400, with no cookie set or dropped.
func TestLoginCookieTooLargeIsAClearError(t *testing.T) {
	r, got := keyedApp("")
	req := httptest.NewRequest(http.MethodGet, "/login/fake", nil)
	req.Host = strings.Repeat("a", 5000) + ".example"
	// a login already pending in this browser is not evicted by the failed one
	req.AddCookie(&http.Cookie{Name: "gindance-login.fake." + strings.Repeat("A", 24), Value: "not-sealed"})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if w.Code != http.StatusBadRequest || !errors.Is(*got, blueprint.ErrLoginTooLarge) || len(w.Header().Values("Set-Cookie")) != 0 {
		t.Fatalf("%d %v %q", w.Code, *got, w.Header().Values("Set-Cookie"))
	}
}

// A key of the wrong size, or a name that cannot go into a cookie name, is
// a configuration error at Validate (and so at Mount).
func TestLoginCookieKeyValidation(t *testing.T) {
	cfg := func(key []byte) blueprint.OAuth2Config {
		return blueprint.OAuth2Config{ClientID: "client", ClientSecret: "test-client-secret",
			AuthURL: "https://idp.example/a", TokenURL: "https://idp.example/t", Options: blueprint.Options{LoginCookieKey: key}}
	}
	for _, tc := range []struct {
		name string
		key  []byte
		ok   bool
	}{
		{"fake", testLoginKey, true},
		{"fake", nil, true},
		{"fake", []byte("sixteen bytes!!!"), false},
		{"fake", []byte{}, false},
		{"my.app", testLoginKey, false},
		{"my.app", nil, false}, // the derived key's cookies would carry the name too
		{"my-app_2", testLoginKey, true},
	} {
		err := blueprint.NewOAuth2(tc.name, cfg(tc.key)).Validate()
		if tc.ok != (err == nil) || err != nil && !errors.Is(err, blueprint.ErrConfig) {
			t.Errorf("name %q, %d-byte key: %v", tc.name, len(tc.key), err)
		}
	}
}

// A login start whose Cookie header carries a thousand forged pending-login
// cookies is answered with a bounded number of Set-Cookie lines, and the
// new login still works (CWE-400).
func TestAttackLoginCookieFloodIsBounded(t *testing.T) {
	f := newFixture(t, gintest.Options{}, withLoginKey)
	req, _ := http.NewRequest(http.MethodGet, f.app.URL+"/login/fake", nil)
	for i := range 1000 {
		req.AddCookie(&http.Cookie{Name: fmt.Sprintf("gindance-login.fake.%024d", i), Value: "forged"})
	}
	page, err := f.browser.NoFollow().Do(req)
	if err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("login start: %v %+v", err, page)
	}
	if n := len(page.Header.Values("Set-Cookie")); n > 40 {
		t.Fatalf("%d Set-Cookie lines for one login start", n)
	}
	cb, err := f.browser.NoFollow().Get(page.Header.Get("Location"))
	if err != nil || cb.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %v %+v", err, cb)
	}
	if page, _ := f.browser.Get(cb.Header.Get("Location")); page.StatusCode != http.StatusOK {
		t.Fatalf("callback: %d %q", page.StatusCode, page.Body)
	}
}

// Five logins started in one browser with 1,000-byte next paths (the most
// SafeNext keeps is 1,024) would need about 8 KiB of Cookie header on the
// login path, past the header limit of common proxies (nginx's 8 KiB
// buffers): the oldest are dropped to keep this blueprint's pending-login
// cookies within 3 KiB together, and the newest login completes.
func TestPendingLoginCookiesStayWithinAHeaderBudget(t *testing.T) {
	f := newFixture(t, gintest.Options{})
	next := "/" + strings.Repeat("n", 999)
	var cb string
	for range 5 {
		cb = f.startLogin(t, next)
	}
	size, n := 0, 0
	for _, ck := range f.browser.Cookies(cb) {
		if strings.Contains(ck.Name, "gindance-login.") {
			size, n = size+len(ck.Name)+1+len(ck.Value), n+1
		}
	}
	if size > 3072 || n < 1 {
		t.Fatalf("%d pending-login cookies of %d bytes together, want at most 3072 bytes", n, size)
	}
	page, err := f.browser.Get(cb)
	if err != nil || page.StatusCode != http.StatusNotFound || page.URL.Path != next {
		t.Fatalf("the newest login: %v %+v, want its next path (which this app does not serve)", err, page)
	}
	if page := f.get(t, "/"); page.Body != "home authorized=true" {
		t.Fatalf("after the newest login: %q", page.Body)
	}
}
