package blueprint_test

// The attack catalogue, part 3: where tokens may go. Tokens, codes and
// secrets travel only in headers and bodies to the hosts they were issued
// for, and never reach a log.

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// recordingProvider is a gintest provider behind a server that records
// every request it gets: URL, headers and body.
type recordingProvider struct {
	*gintest.Provider
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, url string
	header      http.Header
	form        url.Values
}

func startRecordingProvider(t *testing.T, opts gintest.Options) *recordingProvider {
	t.Helper()
	rp := &recordingProvider{Provider: gintest.NewProvider(opts)}
	rp.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		rp.mu.Lock()
		rp.reqs = append(rp.reqs, recorded{r.Method, r.URL.String(), r.Header.Clone(), form})
		rp.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		rp.Provider.ServeHTTP(w, r)
	}))
	rp.SetBaseURL(rp.srv.URL)
	t.Cleanup(rp.srv.Close)
	return rp
}

func (rp *recordingProvider) requests() []recorded {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return append([]recorded(nil), rp.reqs...)
}

// secrets collects the secret values seen during a test: tokens as stored,
// and codes, verifiers, states and client secrets as the provider got them.
type secrets struct {
	mu   sync.Mutex
	vals map[string]string // value -> what it is
}

func (s *secrets) add(what, v string) {
	if len(v) < 8 { // too short to grep for meaningfully
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vals == nil {
		s.vals = map[string]string{}
	}
	s.vals[v] = what
}

func (s *secrets) fromToken(tok *blueprint.Token) {
	s.add("access token", tok.AccessToken)
	s.add("refresh token", tok.RefreshToken)
}

func (s *secrets) fromRequests(reqs []recorded) {
	for _, r := range reqs {
		for _, k := range []string{"code", "code_verifier", "refresh_token", "client_secret", "token"} {
			s.add(k, r.form.Get(k))
		}
		if u, err := url.Parse(r.url); err == nil {
			s.add("state", u.Query().Get("state"))
		}
		if _, pw, ok := (&http.Request{Header: r.header}).BasicAuth(); ok {
			s.add("client secret", pw)
		}
	}
}

// find reports the first secret that occurs in text.
func (s *secrets) find(text string) (what string, found bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for v, w := range s.vals {
		if strings.Contains(text, v) || strings.Contains(text, url.QueryEscape(v)) {
			return w, true
		}
	}
	return "", false
}

// tokenFixture is an app with one blueprint at a recording provider whose
// tokens expire within the refresh leeway, so every API call refreshes.
type tokenFixture struct {
	p       *recordingProvider
	b       *blueprint.Blueprint
	app     *httptest.Server
	browser *gintest.Browser
	sec     *secrets
}

func newTokenFixture(t *testing.T, tweak func(*blueprint.OAuth2Config)) *tokenFixture {
	t.Helper()
	tf := &tokenFixture{
		p: startRecordingProvider(t, gintest.Options{TokenLifetime: 30 * time.Second, RotateRefreshTokens: true,
			User: &gintest.User{ID: "u-1", Login: "alice"}}),
		browser: gintest.NewBrowser(),
		sec:     &secrets{},
	}
	tf.b = tf.p.NewBlueprint("fake", func(c *blueprint.OAuth2Config) {
		if tweak != nil {
			tweak(c)
		}
	})
	tf.b.TokenSetter(func(c *gin.Context, tok *blueprint.Token) error {
		tf.sec.fromToken(tok)
		return blueprint.SessionStorage{}.Set(c, "fake", tok)
	})
	r := newEngine()
	tf.b.Mount(r.Group("/login"))
	r.GET("/api", tf.b.Require(), func(c *gin.Context) {
		var me map[string]any
		if err := tf.b.Client(c).GetJSON("me", &me); err != nil {
			c.String(http.StatusBadGateway, "API call failed")
			return
		}
		c.String(http.StatusOK, "%v", me["login"])
	})
	r.GET("/logout", func(c *gin.Context) { _ = tf.b.Logout(c); c.String(http.StatusOK, "bye") })
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "home") })
	tf.app = httptest.NewServer(r)
	t.Cleanup(tf.app.Close)
	return tf
}

// RFC 6750 §2.3, RFC 9700 §4.3.2: tokens never travel in a URL. A whole
// login, API calls that refresh a rotating token, and a logout with
// revocation put no token, code verifier or client secret in any URL the
// browser visited, any Location it was sent, or any URL the provider was
// asked for.
func TestAttackTokenNeverInURL(t *testing.T) {
	tf := newTokenFixture(t, nil)
	var urls []string
	visit := func(path string, want string) {
		t.Helper()
		page, err := tf.browser.Get(tf.app.URL + path)
		if err != nil || page.Body != want {
			t.Fatalf("GET %s: %v %+v", path, err, page)
		}
		for _, h := range page.Hops {
			urls = append(urls, h.String())
		}
	}
	visit("/login/fake?next=/api", "alice")
	visit("/api", "alice")
	visit("/api", "alice")
	visit("/logout", "bye")
	reqs := tf.p.requests()
	tf.sec.fromRequests(reqs)
	var refreshes, revokes int
	for _, r := range reqs {
		urls = append(urls, r.url)
		refreshes += btoi(r.form.Get("grant_type") == "refresh_token")
		revokes += btoi(strings.HasSuffix(r.url, "/revoke"))
	}
	if refreshes < 2 || revokes != 1 || len(tf.sec.vals) < 6 {
		t.Fatalf("the scenario did not run: %d refreshes, %d revocations, %d secrets", refreshes, revokes, len(tf.sec.vals))
	}
	// the authorization code and state are meant to be in the callback URL
	// (RFC 6749 §4.1.2); nothing else is
	for v, what := range tf.sec.vals {
		if what == "code" || what == "state" {
			delete(tf.sec.vals, v)
		}
	}
	for _, u := range urls {
		if what, ok := tf.sec.find(u); ok {
			t.Errorf("a %s is in the URL %s", what, u)
		}
	}
	for _, r := range reqs {
		if strings.HasSuffix(strings.SplitN(r.url, "?", 2)[0], "/api/me") && !strings.HasPrefix(r.header.Get("Authorization"), "Bearer gta_") {
			t.Errorf("API call without the bearer header: %q", r.header.Get("Authorization"))
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// RFC 9700 §4.3, RFC 6750 §5.3: a 30x from the API to another host, of
// every redirect status, fails with ErrForeignHost and the other host sees
// no request, also when the app's own HTTPClient follows any redirect.
func TestAttackTokenNotSentAfter30xToForeignHost(t *testing.T) {
	other := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {})
	for _, permissive := range []bool{false, true} {
		for _, status := range []int{301, 302, 303, 307, 308} {
			api := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/collect", status)
			})
			cfg := staticConfig(api.URL + "/")
			if permissive {
				cfg.HTTPClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
			}
			b := blueprint.NewOAuth2("p", cfg)
			withToken(b, &blueprint.Token{AccessToken: "at-secret-123"})
			err := call(t, b, func(c *gin.Context) error {
				resp, err := b.Client(c).Post("/go", "text/plain", strings.NewReader("x"))
				if err == nil {
					resp.Body.Close()
				}
				return err
			})
			if !errors.Is(err, blueprint.ErrForeignHost) {
				t.Errorf("%d (permissive client %v): err = %v; want ErrForeignHost", status, permissive, err)
			}
			if a := <-api.auths; !strings.HasPrefix(a, "Bearer at-secret-123") {
				t.Errorf("the API itself got %q", a)
			}
		}
	}
	if n := other.hits.Load(); n != 0 {
		t.Fatalf("the foreign host got %d requests", n)
	}
}

// RFC 9700 §4.3.1 (and CWE-532): no token, code, state, verifier or client
// secret reaches the log. A test logger captures every line of a login, API
// calls that refresh, failed callbacks (replayed, foreign state, provider
// error), failed token answers that carry a token in their body, a failed
// refresh, and a logout; none of the secret values seen occurs in it.
func TestAttackNoSecretsInLogs(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	prev := slog.Default()
	slog.SetDefault(logger)
	t.Cleanup(func() { slog.SetDefault(prev) })

	tf := newTokenFixture(t, func(c *blueprint.OAuth2Config) { c.Logger = logger; c.TokenAuth = blueprint.ClientSecretPost })
	get := func(path string) *gintest.Page {
		t.Helper()
		page, err := tf.browser.Get(tf.app.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		return page
	}
	// a login, API calls with refreshes
	cb := startLoginIn(t, tf.browser, tf.app.URL+"/login/fake?next=/api")
	if p := get(strings.TrimPrefix(cb, tf.app.URL)); p.Body != "alice" {
		t.Fatalf("login: %+v", p)
	}
	get("/api")
	// failures: a replayed callback, a state of another browser, a denial
	get(strings.TrimPrefix(cb, tf.app.URL))
	other := startLoginIn(t, gintest.NewBrowser(), tf.app.URL+"/login/fake")
	get(strings.TrimPrefix(other, tf.app.URL))
	tf.p.Fail(gintest.Failure{Deny: true})
	get("/login/fake")
	// token answers that carry a token in a body the client must not log
	for _, fail := range []gintest.Failure{{TokenGarbage: true}, {TokenHuge: 2 << 20}, {TokenType: "mac"}, {TokenStatus: 500}} {
		fail.ErrorOnGrant = "authorization_code"
		tf.p.Fail(fail)
		if p := get("/login/fake"); p.StatusCode != http.StatusBadGateway {
			t.Fatalf("%+v: %d", fail, p.StatusCode)
		}
	}
	// a failed refresh (provider down), then a working one, then logout
	tf.p.Fail(gintest.Failure{})
	get("/login/fake")
	tf.p.Fail(gintest.Failure{TokenStatus: 503, ErrorOnGrant: "refresh_token"})
	get("/api")
	tf.p.Fail(gintest.Failure{})
	get("/api")
	get("/logout")

	tf.sec.fromRequests(tf.p.requests())
	for _, v := range []string{"gta_garbage", "gta_huge"} {
		tf.sec.add("access token in a bad answer", v)
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if n := strings.Count(out, "login flow failed"); n < 8 {
		t.Fatalf("only %d failures were logged; the scenario did not run:\n%s", n, out)
	}
	if what, found := tf.sec.find(out); found {
		t.Fatalf("a %s is in the log:\n%s", what, out)
	}
	if len(tf.sec.vals) < 10 {
		t.Fatalf("only %d secrets collected", len(tf.sec.vals))
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Logout CSRF (RFC 6265bis §8.8.2, OWASP CSRF): another site posts a form
// to the app's logout. SameSite=Lax keeps the session cookie off that POST,
// and the logout of an empty session must then not answer with a fresh,
// empty session cookie, which the browser would store over the user's real
// one (examples/quickstart's TestBrowserCookiesHttpOnlyLaxAndFlowWorks shows
// it in Chromium).
func TestAttackLogoutWithoutSessionCookieSetsNoCookie(t *testing.T) {
	f := newFixture(t, gintest.Options{})
	f.get(t, "/login/fake")
	page, err := gintest.NewBrowser().Get(f.app.URL + "/logout") // a request without the cookie
	if err != nil || page.Body != "bye" {
		t.Fatalf("logout: %v %+v", err, page)
	}
	if sc := page.Header.Values("Set-Cookie"); len(sc) != 0 {
		t.Fatalf("a cookie-less logout set %q, which would replace the user's session", sc)
	}
	if f.p.Calls(gintest.EndpointRevoke) != 0 {
		t.Fatal("a cookie-less logout revoked something")
	}
	if got := f.get(t, "/").Body; got != "home authorized=true" {
		t.Fatalf("the user was logged out: %q", got)
	}
}
