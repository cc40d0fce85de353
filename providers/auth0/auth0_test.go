package auth0_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/auth0"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/oidc"
)

func tenant(t *testing.T, claims map[string]any, user *gintest.User, cfg auth0.Config) (*presettest.Fake, *oidc.Blueprint) {
	t.Setenv("AUTH0_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("AUTH0_CLIENT_SECRET", gintest.DefaultClientSecret)
	f := presettest.NewOIDC(t, gintest.OIDCOptions{User: user, Claims: claims, Quirks: gintest.OIDCQuirks{IssuerPath: "/", Revocation: true}})
	cfg.Domain = f.OIDC.URL()
	cfg.HTTPClient, cfg.LoginCookieKey = f.Endpoints().HTTPClient, f.Endpoints().LoginCookieKey
	return f, auth0.New(cfg)
}

// TestIssuerHasTheTrailingSlash: Auth0's issuer is https://<Domain>/; an
// id_token whose iss is exactly that is accepted (and the exact check
// stays: see oidc's tests).
func TestIssuerHasTheTrailingSlash(t *testing.T) {
	f, b := tenant(t, map[string]any{"nickname": "ada"}, &gintest.User{ID: "auth0|42", Name: "Ada Lovelace",
		Email: "ada@example.test", EmailVerified: true, AvatarURL: "https://s.gravatar.example/ada"}, auth0.Config{})
	l := f.Login(t, b)
	presettest.WantClientAuth(t, presettest.WantOIDCLogin(t, l, "openid profile email", false), blueprint.ClientSecretBasic)
	if f.OIDC.Issuer() != f.OIDC.URL()+"/" {
		t.Fatalf("fake issuer %q", f.OIDC.Issuer())
	}
	presettest.WantIdentity(t, l.Identity, blueprint.Identity{ID: "auth0|42", Username: "ada", Name: "Ada Lovelace",
		Email: "ada@example.test", EmailVerified: true, AvatarURL: "https://s.gravatar.example/ada"})
}

func TestAudienceAndOffline(t *testing.T) {
	f, b := tenant(t, nil, nil, auth0.Config{Audience: "https://api.example.com", Offline: true})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email offline_access", false)
	if l.Authorize.Get("audience") != "https://api.example.com" {
		t.Fatalf("authorize %v", l.Authorize)
	}
}

// TestOrganizationIsEnforced: organization in the request only
// preselects; the verified org_id must match (Auth0's Organizations docs
// ask apps to validate it).
func TestOrganizationIsEnforced(t *testing.T) {
	f, b := tenant(t, map[string]any{"org_id": "org_acme"}, nil, auth0.Config{Organization: "org_acme"})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	if l.Authorize.Get("organization") != "org_acme" {
		t.Fatalf("authorize %v", l.Authorize)
	}
	for _, claims := range []map[string]any{{"org_id": "org_evil"}, nil} {
		var errs []error
		f, b = tenant(t, claims, nil, auth0.Config{Organization: "org_acme"})
		b.OnError(func(c *gin.Context, err error) { errs = append(errs, err); blueprint.DefaultErrorHandler(c, err) })
		if l := f.Login(t, b); l.Status == http.StatusOK || len(errs) != 1 || !errors.Is(errs[0], auth0.ErrOrganization) {
			t.Fatalf("org_id %v: %d, errors %v", claims, l.Status, errs)
		}
	}
	f, b = tenant(t, map[string]any{"org_name": "acme"}, nil, auth0.Config{Organization: "Acme"})
	presettest.WantOIDCLogin(t, f.Login(t, b), "openid profile email", false)
}

func TestUnverifiedEmailIsNotVerified(t *testing.T) {
	f, b := tenant(t, map[string]any{"email_verified": false}, nil, auth0.Config{})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	if l.Identity.EmailVerified || l.Identity.Username != "alice" {
		t.Fatalf("identity %+v", l.Identity)
	}
}

func TestLogoutRevokesTheRefreshToken(t *testing.T) {
	f, b := tenant(t, nil, nil, auth0.Config{Offline: true})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email offline_access", false)
	if _, err := l.Logout(t); err != nil || len(f.OIDC.Revocations()) != 1 || f.OIDC.Revocations()[0].Get("token_type_hint") != "refresh_token" {
		t.Fatalf("logout: %v, revocations %v", err, f.OIDC.Revocations())
	}
}
