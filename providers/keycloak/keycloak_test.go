package keycloak_test

import (
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/keycloak"
	"github.com/gindance/gindance/providers/oidc"
)

func realm(t *testing.T, user *gintest.User, q gintest.OIDCQuirks) (*presettest.Fake, *oidc.Blueprint) {
	t.Setenv("KEYCLOAK_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("KEYCLOAK_CLIENT_SECRET", gintest.DefaultClientSecret)
	q.IssuerPath = "/realms/acme"
	f := presettest.NewOIDC(t, gintest.OIDCOptions{User: user, Quirks: q})
	b := keycloak.New(keycloak.Config{BaseURL: f.OIDC.URL() + "/", Realm: "acme",
		Options: blueprint.Options{HTTPClient: f.Endpoints().HTTPClient, LoginCookieKey: f.Endpoints().LoginCookieKey}})
	return f, b
}

// TestLoginAgainstTheRealmURL: the issuer is BaseURL/realms/Realm (a
// trailing slash on BaseURL is not doubled), the default scopes give an
// identity, and the client authenticates with client_secret_basic.
func TestLoginAgainstTheRealmURL(t *testing.T) {
	f, b := realm(t, &gintest.User{ID: "f81d4fae", Login: "ada", Name: "Ada Lovelace", Email: "ada@example.test", EmailVerified: true,
		AvatarURL: "https://img.example.test/ada"}, gintest.OIDCQuirks{})
	l := f.Login(t, b)
	tok := presettest.WantOIDCLogin(t, l, "openid profile email", false)
	presettest.WantClientAuth(t, tok, blueprint.ClientSecretBasic)
	if got := l.To("/realms/acme/.well-known/openid-configuration"); len(got) != 1 {
		t.Errorf("discovery requests %d, want 1 at the realm URL", len(got))
	}
	presettest.WantIdentity(t, l.Identity, blueprint.Identity{ID: "f81d4fae", Username: "ada", Name: "Ada Lovelace",
		Email: "ada@example.test", EmailVerified: true, AvatarURL: "https://img.example.test/ada"})
}

// TestUnverifiedEmailIsNotVerified: a user whose "Email verified" flag is
// off has the address, never the verification.
func TestUnverifiedEmailIsNotVerified(t *testing.T) {
	f, b := realm(t, &gintest.User{ID: "9", Login: "eve", Email: "eve@example.test"}, gintest.OIDCQuirks{})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	if l.Identity.EmailVerified || l.Identity.Email != "eve@example.test" {
		t.Fatalf("identity %+v", l.Identity)
	}
}

func TestRealmURL(t *testing.T) {
	for _, tc := range []struct{ base, realm, want string }{
		{"https://sso.example.com", "acme", "https://sso.example.com/realms/acme"},
		{"https://sso.example.com/auth/", "acme", "https://sso.example.com/auth/realms/acme"},
		{"https://sso.example.com", "", ""},
	} {
		if got := keycloak.RealmURL(tc.base, tc.realm); got != tc.want {
			t.Errorf("RealmURL(%q, %q) = %q, want %q", tc.base, tc.realm, got, tc.want)
		}
	}
}

// TestNoRealmIsAConfigError: without BaseURL and Realm there is no issuer,
// and Mount's check says so instead of a login failing later.
func TestNoRealmIsAConfigError(t *testing.T) {
	b := keycloak.New(keycloak.Config{ClientID: "id", ClientSecret: "test-client-secret", BaseURL: "https://sso.example.com"})
	if err := b.Validate(); err == nil {
		t.Fatal("Validate accepted a config without a realm")
	}
}

// TestLogoutRevokesAtTheDiscoveredEndpoint: Keycloak's discovery names its
// revocation endpoint; Logout revokes the refresh token there (RFC 7009).
func TestLogoutRevokesAtTheDiscoveredEndpoint(t *testing.T) {
	f, b := realm(t, nil, gintest.OIDCQuirks{Revocation: true})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	f.WantLogoutRevokes(t, l)
}
