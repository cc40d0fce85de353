// Package presettest logs in through a provider preset against gintest's fake
// providers and records what a real provider would see: the authorization
// request, every request to the token endpoint, every API call, and the
// identity the preset mapped. Each preset's tests use it to pin the
// provider's quirks (parameters, token request shape, identity mapping), so
// a provider that changes its mind breaks a test and not a user.
package presettest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// Endpoints are where a preset under test must send its requests: the fake
// provider's and the fake API's, and an HTTP client that records them.
type Endpoints struct {
	AuthURL, TokenURL, RevokeURL string
	Issuer                       string // OIDC: the fake OpenID Provider's issuer
	APIBaseURL                   string // the fake API, ending in "/"
	APIHost                      string // its origin, e.g. "http://127.0.0.1:41234"
	HTTPClient                   *http.Client
	// LoginCookieKey is the fake provider's (gintest's LoginCookieKey):
	// a preset given it seals pending logins without deriving a key from
	// the client secret, which costs 100 ms of CPU per blueprint.
	LoginCookieKey []byte
}

// Request is one recorded request from the blueprint to a provider or API.
type Request struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   string
	Form   url.Values // the parsed body, for form-encoded requests
}

// Login is what one login through the preset produced.
type Login struct {
	// Authorize is the query of the authorization request the browser was
	// sent to.
	Authorize url.Values
	// Requests are the blueprint's requests, in order.
	Requests []Request
	// Identity is what Blueprint.Identity returned after the login, or nil
	// with IdentityErr.
	Identity    *blueprint.Identity
	IdentityErr error
	// Token is the stored token after the login.
	Token *blueprint.Token
	// Status and Body are the final page's.
	Status int
	Body   string

	logout func(t testing.TB) error
	rec    *recorder
}

// To returns the recorded requests whose path is path.
func (l *Login) To(path string) []Request {
	var out []Request
	for _, r := range l.Requests {
		if r.URL.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Fake is a fake provider with a fake API of the preset's shape. API
// handlers see only requests whose Authorization carries a token the
// provider issued (others get 401 before reaching them); Bearer and the
// preset's own schemes are passed through to gintest's check as given.
type Fake struct {
	Provider *gintest.Provider     // OAuth 2.0 presets
	OIDC     *gintest.OIDCProvider // OIDC presets
	API      *http.ServeMux        // the provider's API: register the preset's user endpoint here
	// CheckToken decides whether an API request is authorized; nil:
	// gintest's /api/me accepts its Authorization header (OAuth 2.0), or
	// any request with an Authorization header (OIDC, whose userinfo
	// gintest serves itself).
	CheckToken func(r *http.Request) bool

	api *httptest.Server
	rec *recorder
}

// NewOAuth2 starts a gintest.Provider with opts and an empty fake API.
func NewOAuth2(t testing.TB, opts gintest.Options) *Fake {
	f := &Fake{Provider: gintest.StartProvider(opts), API: http.NewServeMux(), rec: &recorder{}}
	t.Cleanup(f.Provider.Close)
	f.startAPI(t)
	return f
}

// NewOIDC starts a gintest.OIDCProvider with opts and an empty fake API.
func NewOIDC(t testing.TB, opts gintest.OIDCOptions) *Fake {
	f := &Fake{OIDC: gintest.StartOIDCProvider(opts), API: http.NewServeMux(), rec: &recorder{}}
	t.Cleanup(f.OIDC.Close)
	f.startAPI(t)
	return f
}

func (f *Fake) startAPI(t testing.TB) {
	f.api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !f.authorized(r) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"invalid_token"}`)
			return
		}
		f.API.ServeHTTP(w, r)
	}))
	t.Cleanup(f.api.Close)
}

func (f *Fake) authorized(r *http.Request) bool {
	if f.CheckToken != nil {
		return f.CheckToken(r)
	}
	if f.Provider == nil {
		return r.Header.Get("Authorization") != ""
	}
	req, _ := http.NewRequest(http.MethodGet, f.Provider.APIBaseURL()+"me", nil)
	req.Header.Set("Authorization", r.Header.Get("Authorization"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Endpoints returns where the preset under test must point.
func (f *Fake) Endpoints() Endpoints {
	e := Endpoints{APIBaseURL: f.api.URL + "/", APIHost: f.api.URL, HTTPClient: &http.Client{Transport: f.rec}}
	if f.Provider != nil {
		e.AuthURL, e.TokenURL, e.RevokeURL = f.Provider.AuthURL(), f.Provider.TokenURL(), f.Provider.RevokeURL()
		e.LoginCookieKey = f.Provider.LoginCookieKey()
	}
	if f.OIDC != nil {
		e.LoginCookieKey = f.OIDC.LoginCookieKey()
		e.Issuer = f.OIDC.Issuer()
		e.AuthURL, e.TokenURL = f.OIDC.URL()+"/authorize", f.OIDC.URL()+"/token"
	}
	return e
}

// Blueprint is what Login uses of a blueprint: a *blueprint.Blueprint, or
// an *oidc.Blueprint (which embeds one).
type Blueprint interface {
	Name() string
	Mount(r gin.IRoutes)
	Token(c *gin.Context) (*blueprint.Token, error)
	Identity(c *gin.Context) (*blueprint.Identity, error)
	Logout(c *gin.Context) error
}

// Login mounts b under /login on a Gin app with a cookie session, runs one
// login in a gintest.Browser (signing in as the provider's configured user),
// and reports what happened. A login that fails is not a test failure here:
// Status, Body and the recorded requests say what happened.
func (f *Fake) Login(t testing.TB, b Blueprint) *Login {
	t.Helper()
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(sessions.Sessions("s", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"))))
	b.Mount(r.Group("/login"))
	out := &Login{rec: f.rec}
	var logoutErr error
	r.GET("/logout", func(c *gin.Context) {
		logoutErr = b.Logout(c)
		c.String(http.StatusOK, "logged out")
	})
	r.GET("/", func(c *gin.Context) {
		tok, err := b.Token(c)
		if err != nil || tok == nil {
			c.String(http.StatusUnauthorized, "not logged in: %v", err)
			return
		}
		out.Token = tok
		out.Identity, out.IdentityErr = b.Identity(c)
		c.String(http.StatusOK, "logged in")
	})
	app := httptest.NewServer(r)
	t.Cleanup(app.Close)

	br := gintest.NewBrowser()
	start, err := br.NoFollow().Get(app.URL + "/login/" + b.Name())
	if err != nil {
		t.Fatalf("presettest: starting the login: %v", err)
	}
	loc, err := url.Parse(start.Header.Get("Location"))
	if err != nil || loc.Host == "" {
		t.Fatalf("presettest: login start answered %d without a provider redirect: %s", start.StatusCode, start.Body)
	}
	out.Authorize = loc.Query()
	page, err := br.Get(loc.String())
	if err != nil {
		t.Fatalf("presettest: following the login: %v", err)
	}
	out.Status, out.Body = page.StatusCode, page.Body
	out.Requests = f.rec.take()
	out.logout = func(t testing.TB) error {
		if _, err := br.Get(app.URL + "/logout"); err != nil {
			t.Fatalf("presettest: logging out: %v", err)
		}
		return logoutErr
	}
	return out
}

// JSON writes v as a JSON answer, for API handlers.
func JSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		panic(fmt.Sprintf("presettest: %v", err))
	}
}

// recorder records every request the blueprint makes.
type recorder struct {
	mu   sync.Mutex
	reqs []Request
}

func (rec *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r := Request{Method: req.Method, URL: req.URL, Header: req.Header.Clone()}
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		r.Body = string(body)
		if form, err := url.ParseQuery(r.Body); err == nil {
			r.Form = form
		}
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, r)
	rec.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (rec *recorder) take() []Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := rec.reqs
	rec.reqs = nil
	return out
}
