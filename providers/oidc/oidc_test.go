package oidc_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/oidc"
)

func init() { gin.SetMode(gin.TestMode) }

type fixture struct {
	p       *gintest.OIDCProvider
	b       *oidc.Blueprint
	app     *httptest.Server
	browser *gintest.Browser

	mu   sync.Mutex
	errs []error
}

func newFixture(t *testing.T, opts gintest.OIDCOptions, tweak ...func(*oidc.Config)) *fixture {
	t.Helper()
	p := gintest.StartOIDCProvider(opts)
	t.Cleanup(p.Close)
	return newFixtureWith(t, p, tweak...)
}

// newFixtureWith is newFixture with a provider of the caller's, for tests
// that serve it behind a handler of their own.
func newFixtureWith(t *testing.T, p *gintest.OIDCProvider, tweak ...func(*oidc.Config)) *fixture {
	t.Helper()
	f := &fixture{p: p, browser: gintest.NewBrowser()}
	var h http.Handler
	f.app = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(f.app.Close)
	cfg := oidc.Config{Issuer: f.p.Issuer(), ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		Scopes: []string{"profile", "email"}, PostLogoutRedirectURL: f.app.URL + "/logout/done",
		Options: blueprint.Options{LoginCookieKey: p.LoginCookieKey()}} // tests of the derived key are in blueprint
	for _, fn := range tweak {
		fn(&cfg)
	}
	f.b = oidc.New("idp", cfg)
	f.b.OnError(func(c *gin.Context, err error) {
		f.mu.Lock()
		f.errs = append(f.errs, err)
		f.mu.Unlock()
		blueprint.DefaultErrorHandler(c, err)
	})
	r := gin.New()
	r.Use(sessions.Sessions("s", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210"))))
	f.b.Mount(r.Group("/login"))
	r.GET("/me", f.b.Require(), func(c *gin.Context) {
		claims, err := f.b.Claims(c)
		if err != nil {
			c.String(http.StatusBadGateway, "claims: %v", err)
			return
		}
		id, err := f.b.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "identity: %v", err)
			return
		}
		c.String(http.StatusOK, "sub=%v user=%s email=%s verified=%v", claims["sub"], id.Username, id.Email, id.EmailVerified)
	})
	r.GET("/logout", f.b.LogoutHandler())
	r.GET("/logout/done", f.b.LogoutCallbackHandler())
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "authorized=%v", f.b.Authorized(c)) })
	h = r
	return f
}

func (f *fixture) get(t *testing.T, path string) *gintest.Page {
	t.Helper()
	page, err := f.browser.Get(f.app.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	return page
}

func (f *fixture) lastErr(t *testing.T) error {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.errs) == 0 {
		t.Fatal("OnError did not run")
	}
	return f.errs[len(f.errs)-1]
}

const wantMe = "sub=u-1 user=alice email=alice@example.test verified=true"

// TestLoginWithDiscoveryNonceAndPKCE: OpenID Connect Core §3.1.2.1 (scope
// openid, nonce), RFC 7636 (PKCE stays on), Discovery §4 (fetched once and
// cached).
func TestLoginWithDiscoveryNonceAndPKCE(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{})
	start, err := f.browser.NoFollow().Get(f.app.URL + "/login/idp")
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := url.Parse(start.Header.Get("Location"))
	q := loc.Query()
	if q.Get("scope") != "openid profile email" || len(q.Get("nonce")) < 32 || q.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorization request %v: want scope openid profile email, a nonce and PKCE", q)
	}
	if page := f.get(t, "/me"); page.StatusCode != http.StatusOK || page.Body != wantMe {
		t.Fatalf("after login: %d %q", page.StatusCode, page.Body)
	}
	gintest.NewBrowser().Get(f.app.URL + "/login/idp") // a second user
	if d, _ := f.p.Fetches(); d != 1 {
		t.Fatalf("discovery fetched %d times, want once (cached)", d)
	}
}

// TestLoginWithLoginCookieKey: with the pending login in a sealed cookie
// (blueprint.OAuth2Config.LoginCookieKey) the nonce travels there, and is
// still checked against the id_token (OpenID Connect Core §3.1.3.7 step 11).
func TestLoginWithLoginCookieKey(t *testing.T) {
	key := func(c *oidc.Config) { c.LoginCookieKey = []byte("0123456789abcdefghijklmnopqrstuv") }
	f := newFixture(t, gintest.OIDCOptions{}, key)
	if page := f.get(t, "/me"); page.StatusCode != http.StatusOK || page.Body != wantMe {
		t.Fatalf("after login: %d %q", page.StatusCode, page.Body)
	}
	f = newFixture(t, gintest.OIDCOptions{}, key)
	f.p.Fail(gintest.OIDCFailure{WrongNonce: true})
	assertLoginRefused(t, f, oidc.ErrNonce)
}

// TestES256Provider: id_tokens signed with ES256 verify against the JWKS.
func TestES256Provider(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{Alg: "ES256"})
	if page := f.get(t, "/me"); page.Body != wantMe {
		t.Fatalf("after login: %d %q", page.StatusCode, page.Body)
	}
}

// TestKeyRotation: an id_token signed by a new key (unknown kid) makes the
// key set refetch the JWKS (OpenID Connect Core §10.1.1).
func TestKeyRotation(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{})
	if page := f.get(t, "/me"); page.Body != wantMe {
		t.Fatalf("first login: %q", page.Body)
	}
	_, before := f.p.Fetches()
	f.p.RotateKeys(false)
	other := gintest.NewBrowser()
	page, err := other.Get(f.app.URL + "/login/idp?next=/me")
	if err != nil || page.Body != wantMe {
		t.Fatalf("login after rotation: %v %q", err, page.Body)
	}
	if _, after := f.p.Fetches(); after != before+1 {
		t.Fatalf("JWKS fetched %d more times, want 1", after-before)
	}
}

// TestRFC9207IssuerParameter: with authorization_response_iss_parameter_supported
// the response's iss must be present and equal the issuer.
func TestRFC9207IssuerParameter(t *testing.T) {
	t.Run("correct iss", func(t *testing.T) {
		f := newFixture(t, gintest.OIDCOptions{IssParameter: true})
		if page := f.get(t, "/me"); page.Body != wantMe {
			t.Fatalf("%d %q", page.StatusCode, page.Body)
		}
	})
	for name, fail := range map[string]gintest.OIDCFailure{
		"§2.4 another iss": {IssParam: "https://mixup.example"},
		"§2.4 missing iss": {OmitIssParam: true},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, gintest.OIDCOptions{IssParameter: true})
			f.p.Fail(fail)
			if page := f.get(t, "/login/idp"); page.StatusCode != http.StatusBadRequest {
				t.Fatalf("got %d, want 400", page.StatusCode)
			}
			if err := f.lastErr(t); !errors.Is(err, blueprint.ErrIssuerMismatch) {
				t.Fatalf("error %v, want ErrIssuerMismatch", err)
			}
		})
	}
}

// TestDiscoveredIssuerMustMatch: Discovery §4.3.
func TestDiscoveredIssuerMustMatch(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{})
	f.p.Fail(gintest.OIDCFailure{DiscoveryIssuer: f.p.Issuer() + "/"})
	page := f.get(t, "/login/idp")
	err := f.lastErr(t)
	if page.StatusCode != http.StatusInternalServerError || !errors.Is(err, oidc.ErrDiscovery) || !errors.Is(err, blueprint.ErrConfig) {
		t.Fatalf("got %d, %v; want 500 and ErrDiscovery", page.StatusCode, err)
	}
	mustContain(t, err.Error(), "must be equal")
}

// TestUserInfo: OpenID Connect Core §5.3.4, userinfo for another sub is
// rejected; the same sub feeds Identity.
func TestUserInfo(t *testing.T) {
	withUserInfo := func(c *oidc.Config) { c.UserInfo = true }
	f := newFixture(t, gintest.OIDCOptions{Claims: map[string]any{"locale": "fr"}}, withUserInfo)
	if page := f.get(t, "/me"); page.Body != wantMe {
		t.Fatalf("%d %q", page.StatusCode, page.Body)
	}
	f = newFixture(t, gintest.OIDCOptions{}, withUserInfo)
	f.p.Fail(gintest.OIDCFailure{UserinfoOtherSub: true})
	f.get(t, "/login/idp")
	if err := f.lastErr(t); !errors.Is(err, oidc.ErrUserInfoSubject) {
		t.Fatalf("error %v, want ErrUserInfoSubject", err)
	}
	if page := f.get(t, "/"); page.Body != "authorized=false" {
		t.Fatalf("a token was stored: %q", page.Body)
	}
}

// TestRefreshKeepsSubject: OpenID Connect Core §12.2, an id_token returned
// on refresh must keep iss, sub and aud.
func TestRefreshKeepsSubject(t *testing.T) {
	opts := gintest.OIDCOptions{IDTokenOnRefresh: true, TokenLifetime: 30 * time.Second} // within the refresh leeway
	f := newFixture(t, opts)
	if page := f.get(t, "/me"); page.Body != wantMe {
		t.Fatalf("refresh with the same subject: %d %q", page.StatusCode, page.Body)
	}
	f.p.Fail(gintest.OIDCFailure{OtherSub: "mallory"})
	page := f.get(t, "/me")
	if page.StatusCode == http.StatusOK {
		t.Fatalf("refresh to another subject accepted: %q", page.Body)
	}
	if err := f.lastErr(t); !errors.Is(err, oidc.ErrRefreshSubject) {
		t.Fatalf("error %v, want ErrRefreshSubject", err)
	}
}

// TestRPInitiatedLogout: end_session with id_token_hint,
// post_logout_redirect_uri and a state checked on return (RP-Initiated
// Logout 1.0 §2-3).
func TestRPInitiatedLogout(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{})
	f.get(t, "/me")
	page := f.get(t, "/logout")
	if page.URL.String() != f.app.URL+"/" || page.Body != "authorized=false" {
		t.Fatalf("after logout: %s %q", page.URL, page.Body)
	}
	ends := f.p.EndSessions()
	if len(ends) != 1 || ends[0].Get("id_token_hint") == "" || ends[0].Get("post_logout_redirect_uri") != f.app.URL+"/logout/done" || ends[0].Get("state") == "" {
		t.Fatalf("end_session requests: %v", ends)
	}
	replay := f.get(t, "/logout/done?state="+url.QueryEscape(ends[0].Get("state")))
	if replay.StatusCode != http.StatusBadRequest {
		t.Fatalf("replayed logout state: %d, want 400", replay.StatusCode)
	}
}

func TestValidate(t *testing.T) {
	for cfg, want := range map[*oidc.Config]string{
		{ClientID: "c", ClientSecret: "test-client-secret"}:                               "Issuer is empty",
		{Issuer: "https://idp.example", ClientID: "c"}:                                    "ClientSecret is empty",
		{Issuer: "http://idp.example", ClientID: "c", ClientSecret: "test-client-secret"}: "https",
		{Issuer: "https://idp.example", ClientSecret: "test-client-secret"}:               "ClientID is empty",
		{Issuer: "https://idp.example", ClientID: "c", PublicClient: true}:                "set LoginCookieKey",
		{Issuer: "https://idp.example", ClientID: "c", PublicClient: true,
			Options: blueprint.Options{PendingLoginsInSession: true}}: "",
	} {
		err := oidc.New("x", *cfg).Validate()
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%+v: Validate = %v, want %q", *cfg, err, want)
		}
	}
}

func TestClaimsWithoutLogin(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{})
	h := gin.New()
	h.Use(sessions.Sessions("s", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"))))
	h.GET("/", func(c *gin.Context) {
		_, err := f.b.Claims(c)
		c.String(http.StatusOK, fmt.Sprint(errors.Is(err, blueprint.ErrNotAuthorized)))
	})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Body.String() != "true" {
		t.Fatalf("Claims without login: ErrNotAuthorized=%s", w.Body.String())
	}
}

func mustContain(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Fatalf("%q does not contain %q", s, sub)
	}
}

// TestIDTokenTimesReadOptionsNow: id_token iat and exp are checked against
// the blueprint's clock (Options.Now), as every other expiry decision is,
// so a provider and app whose clocks agree with each other log in even when
// both are far from the system clock.
func TestIDTokenTimesReadOptionsNow(t *testing.T) {
	later := func() time.Time { return time.Now().Add(2 * time.Hour) }
	f := newFixture(t, gintest.OIDCOptions{Now: later}, func(c *oidc.Config) { c.Now = later })
	if page := f.get(t, "/me"); page.StatusCode != http.StatusOK || page.Body != wantMe {
		t.Fatalf("provider and app on the same clock: %d %q", page.StatusCode, page.Body)
	}
	// The same provider, an app on the system clock: the id_token was
	// issued two hours ahead of it.
	f = newFixture(t, gintest.OIDCOptions{Now: later})
	assertLoginRefused(t, f, oidc.ErrIssuedInFuture)
}
