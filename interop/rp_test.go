package interop

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/oidc"
)

// This file is the relying party that the Go-server interop tests
// (zitadel_test.go, hydra_test.go) log in with: a Gin app with one
// providers/oidc blueprint named "idp", served on http://localhost:<port>
// so that its cookies stay apart from the servers' on 127.0.0.1, and
// driven by a gintest.Browser as a person's browser would be.

// rpConfig is what a test varies in the relying party.
type rpConfig struct {
	Issuer                 string
	ClientID, ClientSecret string
	Scopes                 []string
	// RefreshLeeway is blueprint.OAuth2Config.RefreshLeeway: the suite
	// forces refreshes by making it most of the token's lifetime.
	RefreshLeeway time.Duration
	// LoginCookieKey and PendingLoginsInSession are blueprint.Options'
	// (nil and false: each pending login in a cookie sealed under a key
	// derived from ClientSecret or the newest ClientKey).
	LoginCookieKey         []byte
	PendingLoginsInSession bool
	// ClientKeys and AssertionAudienceTokenURL are blueprint.Options'
	// (private_key_jwt); the keys are published at /jwks.json.
	ClientKeys                []blueprint.ClientKey
	AssertionAudienceTokenURL bool
}

// rp is a running relying party.
type rp struct {
	b       *oidc.Blueprint
	cfg     rpConfig
	srv     *httptest.Server
	URL     string // http://localhost:<port>
	browser *gintest.Browser

	handler   func(http.Handler) // installs the app, see configure
	refreshes atomic.Int64       // refresh_token grants the blueprint sent

	hold atomic.Bool             // the browser stops before the callback, see callbackHold
	held atomic.Pointer[url.URL] // the callback it stopped at

	mu   sync.Mutex
	errs []error
}

// newRPServer starts the relying party's HTTP server before its
// blueprint exists, so that a test can register the callback URL at the
// provider first; configure finishes it.
func newRPServer(t *testing.T) *rp {
	t.Helper()
	gin.SetMode(gin.TestMode)
	r := &rp{browser: gintest.NewBrowser()}
	r.browser.Client.Transport = &callbackHold{rp: r, next: http.DefaultTransport}
	var h atomic.Value
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if hh, ok := h.Load().(http.Handler); ok {
			hh.ServeHTTP(w, req)
			return
		}
		http.Error(w, "relying party not configured yet", http.StatusServiceUnavailable)
	}))
	t.Cleanup(r.srv.Close)
	u, _ := url.Parse(r.srv.URL)
	r.URL = "http://localhost:" + u.Port()
	r.handler = func(hh http.Handler) { h.Store(hh) }
	return r
}

// callbackURL is the redirect URI to register at the provider.
func (r *rp) callbackURL() string { return r.URL + "/login/idp/authorized" }

// postLogoutURL is the post_logout_redirect_uri to register.
func (r *rp) postLogoutURL() string { return r.URL + "/logout/done" }

// configure mounts the blueprint and the app's routes.
func (r *rp) configure(t *testing.T, cfg rpConfig) {
	t.Helper()
	r.cfg = cfg
	hc := &http.Client{Timeout: 15 * time.Second, Transport: &refreshCounter{n: &r.refreshes, next: http.DefaultTransport}}
	r.b = oidc.New("idp", oidc.Config{
		Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: r.callbackURL(), APIBaseURL: cfg.Issuer, UserInfo: true,
		PostLogoutRedirectURL: r.postLogoutURL(), PostLogoutRedirectTo: "/logged-out",
		Options: blueprint.Options{HTTPClient: hc, RefreshLeeway: cfg.RefreshLeeway, LoginCookieKey: cfg.LoginCookieKey,
			PendingLoginsInSession: cfg.PendingLoginsInSession, ClientKeys: cfg.ClientKeys, AssertionAudienceTokenURL: cfg.AssertionAudienceTokenURL},
	})
	r.b.OnError(func(c *gin.Context, err error) {
		r.mu.Lock()
		r.errs = append(r.errs, err)
		r.mu.Unlock()
		blueprint.DefaultErrorHandler(c, err)
	})
	if err := r.b.Validate(); err != nil {
		t.Fatal(err)
	}
	e := gin.New()
	e.Use(sessions.Sessions("rp", cookie.NewStore([]byte("interop-hash-key-0123456789abcdef"), []byte("interop-block-key-0123456789abcd"))))
	r.b.Mount(e.Group("/login"))
	if len(cfg.ClientKeys) > 0 {
		jwks, err := blueprint.JWKSHandler(cfg.ClientKeys...)
		if err != nil {
			t.Fatal(err)
		}
		e.GET("/jwks.json", gin.WrapH(jwks))
	}
	e.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "authorized=%v", r.b.Authorized(c)) })
	e.GET("/logged-out", func(c *gin.Context) { c.String(http.StatusOK, "logged out; authorized=%v", r.b.Authorized(c)) })
	e.GET("/me", r.b.Require(), func(c *gin.Context) {
		claims, err := r.b.Claims(c)
		if err != nil {
			c.String(http.StatusBadGateway, "claims: %v", err)
			return
		}
		id, err := r.b.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "identity: %v", err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"claims": claims, "identity": id})
	})
	// An API call through Client: the provider's userinfo endpoint,
	// relative to APIBaseURL (the issuer).
	e.GET("/api/userinfo", r.b.Require(), func(c *gin.Context) {
		var info map[string]any
		if err := r.b.Client(c).GetJSON("userinfo", &info); errors.Is(err, blueprint.ErrNotAuthorized) {
			c.String(http.StatusUnauthorized, "not authorized: %v", err)
			return
		} else if err != nil {
			c.String(http.StatusBadGateway, "userinfo: %v", err)
			return
		}
		c.JSON(http.StatusOK, info)
	})
	// The stored token as it is, for the test to check at the server;
	// Token does not refresh.
	e.GET("/token", func(c *gin.Context) {
		tok, err := r.b.Token(c)
		if err != nil || tok == nil {
			c.String(http.StatusNotFound, "no token: %v", err)
			return
		}
		c.JSON(http.StatusOK, tok)
	})
	e.GET("/logout", r.b.LogoutHandler())
	e.GET("/logout/done", r.b.LogoutCallbackHandler())
	r.handler(e)
}

// get loads path on the relying party in the test's browser.
func (r *rp) get(t *testing.T, path string) *gintest.Page {
	t.Helper()
	page, err := r.browser.Get(r.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return page
}

// getJSON loads path and decodes its 200 answer into v.
func (r *rp) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	page := r.get(t, path)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, page.StatusCode, excerpt(page.Body))
	}
	if err := json.Unmarshal([]byte(page.Body), v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, excerpt(page.Body))
	}
}

// token returns the token the relying party keeps for the browser.
func (r *rp) token(t *testing.T) *blueprint.Token {
	t.Helper()
	var tok blueprint.Token
	r.getJSON(t, "/token", &tok)
	return &tok
}

// lastErr is the error OnError saw last.
func (r *rp) lastErr(t *testing.T) error {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) == 0 {
		t.Fatal("OnError did not run")
	}
	return r.errs[len(r.errs)-1]
}

func (r *rp) errCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errs)
}

// me is what /me shows: the verified id_token claims and the Identity.
type me struct {
	Claims   map[string]any      `json:"claims"`
	Identity *blueprint.Identity `json:"identity"`
}

// callbackHold is the browser's transport: while rp.hold is set, the
// browser does not deliver the provider's redirect to the callback but
// keeps its URL in rp.held (and shows a blank page), so that a test can
// deliver it when and as often as it likes.
type callbackHold struct {
	rp   *rp
	next http.RoundTripper
}

func (h *callbackHold) RoundTrip(req *http.Request) (*http.Response, error) {
	if h.rp.hold.Load() && req.URL.Path == "/login/idp/authorized" && strings.HasPrefix(h.rp.URL, "http://"+req.URL.Host) {
		u := *req.URL
		h.rp.held.Store(&u)
		return &http.Response{StatusCode: http.StatusNoContent, Header: http.Header{}, Body: http.NoBody, Request: req}, nil
	}
	return h.next.RoundTrip(req)
}

// refreshCounter counts the refresh_token grants that go through it.
type refreshCounter struct {
	n    *atomic.Int64
	next http.RoundTripper
}

func (rc *refreshCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("grant_type") == "refresh_token" {
			rc.n.Add(1)
		}
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	return rc.next.RoundTrip(req)
}

// submitForm fills the first form on page as a person would: its hidden
// inputs as the page has them, fields typed in (a button's name and value
// among them), and posts it to its action, resolved against the page's
// URL, following the redirects that result.
func submitForm(b *gintest.Browser, page *gintest.Page, fields url.Values) (*gintest.Page, error) {
	form, ok := firstForm(page.Body)
	if !ok || page.URL == nil {
		return nil, fmt.Errorf("no form on %v (status %d): %s", page.URL, page.StatusCode, excerpt(page.Body))
	}
	action, err := page.URL.Parse(form.action)
	if err != nil {
		return nil, err
	}
	data := url.Values{}
	for k, v := range form.hidden {
		data[k] = v
	}
	for k, v := range fields {
		data[k] = v
	}
	return b.PostForm(action.String(), data)
}

// bearerGet calls a protected resource directly with an access token,
// as a stolen or leftover token would be used, and returns the status.
func bearerGet(t *testing.T, endpoint, accessToken string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, endpoint, nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// refreshGrant sends a refresh_token grant with the client's credentials
// and returns the OAuth error code of the answer ("" on success).
func refreshGrant(t *testing.T, tokenURL, clientID, secret, refreshToken string) string {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	req, _ := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body)
	if resp.StatusCode == http.StatusOK {
		return ""
	}
	if body.Error == "" {
		return fmt.Sprintf("HTTP %d", resp.StatusCode)
	}
	return body.Error
}

// revokeDirectly revokes a refresh token at the server's RFC 7009
// endpoint with the client's credentials, as the user's "sign out
// everywhere" or an administrator would, behind the relying party's back.
func revokeDirectly(t *testing.T, endpoint, clientID, secret, refreshToken string) {
	t.Helper()
	form := url.Values{"token": {refreshToken}, "token_type_hint": {"refresh_token"}}
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revocation: HTTP %d", resp.StatusCode)
	}
}

// discovered is the part of a provider's metadata the tests use directly.
type discovered struct {
	Issuer     string `json:"issuer"`
	Token      string `json:"token_endpoint"`
	UserInfo   string `json:"userinfo_endpoint"`
	Revocation string `json:"revocation_endpoint"`
	EndSession string `json:"end_session_endpoint"`
}

func discover(t *testing.T, issuer string) discovered {
	t.Helper()
	resp, err := http.Get(strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d discovered
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

func excerpt(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// asProviderError unwraps err into a *blueprint.ProviderError or fails.
func asProviderError(t *testing.T, err error) *blueprint.ProviderError {
	t.Helper()
	var pe *blueprint.ProviderError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *blueprint.ProviderError", err, err)
	}
	return pe
}
