package microsoft_test

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/microsoft"
	"github.com/gindance/gindance/providers/oidc"
)

const (
	tenantA = "aaaaaaaa-0000-4000-8000-00000000000a"
	tenantB = "bbbbbbbb-0000-4000-8000-00000000000b"
)

var entraClaims = map[string]any{"oid": "00000000-0000-0000-0000-0000000000e1", "email": "ada@contoso.example"}

// fake is a multi-tenant gintest OIDC provider standing in for
// login.microsoftonline.com/common.
func fake(t *testing.T, claims map[string]any) *presettest.Fake {
	t.Setenv("MICROSOFT_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("MICROSOFT_CLIENT_SECRET", gintest.DefaultClientSecret)
	return presettest.NewOIDC(t, gintest.OIDCOptions{MultiTenant: true, Claims: claims,
		User: &gintest.User{ID: "pairwise-sub", Login: "ada@contoso.example", Name: "Ada"}})
}

func multiTenant(f *presettest.Fake, cfg microsoft.Config) *oidc.Blueprint {
	e := f.Endpoints()
	cfg.Issuer, cfg.IssuerTemplate, cfg.APIBaseURL = f.OIDC.Issuer(), f.OIDC.IssuerTemplate(), e.APIBaseURL
	cfg.Options.HTTPClient, cfg.Options.LoginCookieKey = e.HTTPClient, e.LoginCookieKey
	return microsoft.New(cfg)
}

// The authorization request asks for openid, profile, email and
// offline_access with a nonce and PKCE; the token request is
// client_secret_basic with the verifier; credentials come from
// MICROSOFT_CLIENT_ID/SECRET.
func TestLoginRequestShape(t *testing.T) {
	f := fake(t, entraClaims)
	l := f.Login(t, multiTenant(f, microsoft.Config{}).Blueprint)
	if l.Status != http.StatusOK {
		t.Fatalf("login: %d %q", l.Status, l.Body)
	}
	q := l.Authorize
	if q.Get("scope") != "openid profile email offline_access" || q.Get("nonce") == "" || q.Get("code_challenge_method") != "S256" || q.Get("client_id") != gintest.DefaultClientID {
		t.Fatalf("authorize %v", q)
	}
	tok := l.To("/token")
	if len(tok) != 1 || tok[0].Form.Get("grant_type") != "authorization_code" || tok[0].Form.Get("code_verifier") == "" ||
		!strings.HasPrefix(tok[0].Header.Get("Authorization"), "Basic ") || tok[0].Form.Has("client_secret") {
		t.Fatalf("token request %+v", tok)
	}
}

// Multi-tenant (the issuer template): users of two tenants log in; each
// id_token's iss is the template with its own tid.
func TestMultiTenantAcceptsTwoTenants(t *testing.T) {
	f := fake(t, entraClaims)
	b := multiTenant(f, microsoft.Config{})
	for _, tid := range []string{tenantA, tenantB} {
		f.OIDC.SetTenant(tid)
		l := f.Login(t, b)
		if l.Status != http.StatusOK || l.Identity == nil || l.Identity.Raw["tid"] != tid {
			t.Fatalf("tenant %s: %d %q %+v", tid, l.Status, l.Body, l.Identity)
		}
	}
}

// An id_token whose iss names another tenant than its tid is refused.
func TestMultiTenantRefusesIssOfAnotherTenant(t *testing.T) {
	f := fake(t, entraClaims)
	var got error
	b := multiTenant(f, microsoft.Config{})
	b.OnError(func(c *gin.Context, err error) { got = err; blueprint.DefaultErrorHandler(c, err) })
	f.OIDC.SetTenant(tenantA)
	f.OIDC.Fail(gintest.OIDCFailure{TenantIssuer: tenantB})
	if l := f.Login(t, b); l.Status != http.StatusBadGateway || !errors.Is(got, oidc.ErrTenantIssuer) {
		t.Fatalf("%d %v", l.Status, got)
	}
}

// Tenants restricts a multi-tenant app to an allow list.
func TestMultiTenantAllowList(t *testing.T) {
	f := fake(t, entraClaims)
	var got error
	b := multiTenant(f, microsoft.Config{Tenants: []string{tenantA}})
	b.OnError(func(c *gin.Context, err error) { got = err; blueprint.DefaultErrorHandler(c, err) })
	f.OIDC.SetTenant(tenantA)
	if l := f.Login(t, b); l.Status != http.StatusOK {
		t.Fatalf("allowed tenant: %d %q", l.Status, l.Body)
	}
	f.OIDC.SetTenant(tenantB)
	if l := f.Login(t, b); l.Status != http.StatusBadGateway || !errors.Is(got, oidc.ErrTenant) {
		t.Fatalf("tenant outside the list: %d %v", l.Status, got)
	}
}

// Tenant organizations refuses personal accounts (the consumers tenant).
func TestOrganizationsRefusesPersonalAccounts(t *testing.T) {
	f := fake(t, entraClaims)
	var got error
	b := multiTenant(f, microsoft.Config{Tenant: microsoft.Organizations})
	b.OnError(func(c *gin.Context, err error) { got = err; blueprint.DefaultErrorHandler(c, err) })
	f.OIDC.SetTenant(microsoft.ConsumersTenantID)
	if l := f.Login(t, b); l.Status != http.StatusBadGateway || !errors.Is(got, microsoft.ErrPersonalAccount) {
		t.Fatalf("%d %v", l.Status, got)
	}
	f.OIDC.SetTenant(tenantA)
	if l := f.Login(t, b); l.Status != http.StatusOK {
		t.Fatalf("work account: %d %q", l.Status, l.Body)
	}
}

// Identity: ID is oid (sub is pairwise per app), Username
// preferred_username; Entra's email claim is unverified, so EmailVerified
// follows xms_edov only, never email_verified.
func TestIdentityFromClaims(t *testing.T) {
	f := fake(t, entraClaims)
	l := f.Login(t, multiTenant(f, microsoft.Config{}).Blueprint)
	id := l.Identity
	if id == nil || id.ID != entraClaims["oid"] || id.Username != "ada@contoso.example" || id.Name != "Ada" || id.Email != "ada@contoso.example" || id.EmailVerified {
		t.Fatalf("identity %+v (%v)", id, l.IdentityErr)
	}
	f = fake(t, map[string]any{"oid": "o-1", "email": "ada@contoso.example", "xms_edov": true})
	if id := f.Login(t, multiTenant(f, microsoft.Config{}).Blueprint).Identity; id == nil || !id.EmailVerified {
		t.Fatalf("with xms_edov: %+v", id)
	}
}

// Graph: Identity from Microsoft Graph's /me, and User.Read asked for.
func TestGraphIdentity(t *testing.T) {
	f := fake(t, entraClaims)
	f.API.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		presettest.JSON(w, map[string]any{"id": "g-1", "displayName": "Ada Lovelace", "userPrincipalName": "ada@contoso.example", "mail": "ada@contoso.example"})
	})
	l := f.Login(t, multiTenant(f, microsoft.Config{Graph: true}))
	if !strings.Contains(l.Authorize.Get("scope"), "User.Read") {
		t.Fatalf("scope %q", l.Authorize.Get("scope"))
	}
	id := l.Identity
	if id == nil || id.ID != "g-1" || id.Name != "Ada Lovelace" || id.Username != "ada@contoso.example" || id.EmailVerified {
		t.Fatalf("identity %+v (%v)", id, l.IdentityErr)
	}
	if len(l.To("/me")) != 1 {
		t.Fatalf("Graph calls %+v", l.Requests)
	}
}

// Tenant picks where discovery is fetched: /common/v2.0 and
// /organizations/v2.0 (templates), /consumers/v2.0 (the consumers tenant's
// fixed issuer), /<tenant ID>/v2.0.
func TestTenantSelectsDiscovery(t *testing.T) {
	t.Setenv("MICROSOFT_CLIENT_ID", "id")
	t.Setenv("MICROSOFT_CLIENT_SECRET", "test-client-secret")
	for tenant, want := range map[string]string{
		"":                      "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
		microsoft.Organizations: "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration",
		microsoft.Consumers:     "https://login.microsoftonline.com/consumers/v2.0/.well-known/openid-configuration",
		tenantA:                 "https://login.microsoftonline.com/" + tenantA + "/v2.0/.well-known/openid-configuration",
	} {
		rt := &recordURL{}
		b := microsoft.New(microsoft.Config{Tenant: tenant, Options: blueprint.Options{
			HTTPClient: &http.Client{Transport: rt}, Logger: slog.New(slog.DiscardHandler)}})
		r := gin.New()
		r.Use(sessions.Sessions("s", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"))))
		b.Mount(r.Group("/login"))
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/login/microsoft", nil))
		if got := rt.first(); got != want {
			t.Errorf("Tenant %q: discovery at %q; want %q", tenant, got, want)
		}
	}
}

// recordURL records the URLs asked for and answers 503 (no network).
type recordURL struct {
	mu   sync.Mutex
	urls []string
}

func (r *recordURL) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.urls = append(r.urls, req.URL.String())
	r.mu.Unlock()
	return &http.Response{StatusCode: http.StatusServiceUnavailable, Body: http.NoBody, Header: http.Header{}, Request: req}, nil
}

func (r *recordURL) first() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.urls) == 0 {
		return ""
	}
	return r.urls[0]
}
