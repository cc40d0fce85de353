package dex_test

import (
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/dex"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/oidc"
)

func server(t *testing.T, claims map[string]any, user *gintest.User, cfg dex.Config) (*presettest.Fake, *oidc.Blueprint) {
	t.Setenv("DEX_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("DEX_CLIENT_SECRET", gintest.DefaultClientSecret)
	f := presettest.NewOIDC(t, gintest.OIDCOptions{User: user, Claims: claims, Quirks: gintest.OIDCQuirks{IssuerPath: "/dex"}})
	cfg.Issuer = f.OIDC.Issuer()
	cfg.HTTPClient, cfg.LoginCookieKey = f.Endpoints().HTTPClient, f.Endpoints().LoginCookieKey
	return f, dex.New(cfg)
}

func TestLogin(t *testing.T) {
	f, b := server(t, nil, &gintest.User{ID: "CgVhZGExMhIEbGRhcA", Login: "ada", Name: "Ada Lovelace", Email: "ada@example.test",
		EmailVerified: true}, dex.Config{})
	l := f.Login(t, b)
	presettest.WantClientAuth(t, presettest.WantOIDCLogin(t, l, "openid profile email", false), blueprint.ClientSecretBasic)
	presettest.WantIdentity(t, l.Identity, blueprint.Identity{ID: "CgVhZGExMhIEbGRhcA", Username: "ada", Name: "Ada Lovelace",
		Email: "ada@example.test", EmailVerified: true})
}

// TestScopesAndConnector: Dex's own scopes and the connector_id parameter.
func TestScopesAndConnector(t *testing.T) {
	fed := map[string]any{"connector_id": "ldap", "user_id": "ada"}
	f, b := server(t, map[string]any{"federated_claims": fed, "groups": []string{"admins"}}, nil,
		dex.Config{Offline: true, Groups: true, FederatedID: true, Connector: "ldap"})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email offline_access groups federated:id", false)
	if l.Authorize.Get("connector_id") != "ldap" {
		t.Fatalf("authorize %v", l.Authorize)
	}
	if got, _ := l.Identity.Raw["federated_claims"].(map[string]any); got["user_id"] != "ada" {
		t.Fatalf("federated_claims %v", l.Identity.Raw["federated_claims"])
	}
}

func TestUnverifiedEmailIsNotVerified(t *testing.T) {
	f, b := server(t, nil, &gintest.User{ID: "x", Login: "eve", Email: "eve@example.test"}, dex.Config{})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	if l.Identity.EmailVerified {
		t.Fatalf("identity %+v", l.Identity)
	}
}

// TestLogoutIsLocal: Dex publishes no revocation endpoint, so Logout
// sends nothing and still succeeds.
func TestLogoutIsLocal(t *testing.T) {
	f, b := server(t, nil, nil, dex.Config{})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	if reqs, err := l.Logout(t); err != nil || len(reqs) != 0 {
		t.Fatalf("logout: %v, requests %+v", err, reqs)
	}
}
