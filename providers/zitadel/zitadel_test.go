package zitadel_test

import (
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/oidc"
	"github.com/gindance/gindance/providers/zitadel"
)

func instance(t *testing.T, claims map[string]any, user *gintest.User, cfg zitadel.Config) (*presettest.Fake, *oidc.Blueprint) {
	t.Setenv("ZITADEL_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("ZITADEL_CLIENT_SECRET", gintest.DefaultClientSecret)
	f := presettest.NewOIDC(t, gintest.OIDCOptions{User: user, Claims: claims, Quirks: gintest.OIDCQuirks{Revocation: true}})
	cfg.Domain = f.OIDC.URL() + "/"
	cfg.HTTPClient, cfg.LoginCookieKey = f.Endpoints().HTTPClient, f.Endpoints().LoginCookieKey
	return f, zitadel.New(cfg)
}

func TestLoginReadsUserinfo(t *testing.T) {
	f, b := instance(t, nil, &gintest.User{ID: "2843", Login: "ada@acme.example", Name: "Ada Lovelace", Email: "ada@acme.example",
		EmailVerified: true}, zitadel.Config{})
	l := f.Login(t, b)
	presettest.WantClientAuth(t, presettest.WantOIDCLogin(t, l, "openid profile email", false), blueprint.ClientSecretBasic)
	if len(l.To("/userinfo")) == 0 {
		t.Error("userinfo not read: ZITADEL's id_tokens lack profile claims by default")
	}
	presettest.WantIdentity(t, l.Identity, blueprint.Identity{ID: "2843", Username: "ada@acme.example", Name: "Ada Lovelace",
		Email: "ada@acme.example", EmailVerified: true})
}

// TestOrganizationScopes: Organization asks ZITADEL to restrict the
// login to that organization and to assert the user's organization.
func TestOrganizationScopes(t *testing.T) {
	f, b := instance(t, map[string]any{zitadel.ClaimOrganizationID: "1234"}, nil, zitadel.Config{Organization: "1234", Offline: true})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email offline_access urn:zitadel:iam:org:id:1234 urn:zitadel:iam:user:resourceowner", false)
	if l.Identity.Raw[zitadel.ClaimOrganizationID] != "1234" {
		t.Fatalf("identity raw %v", l.Identity.Raw)
	}
}

func TestUnverifiedEmailIsNotVerified(t *testing.T) {
	f, b := instance(t, nil, &gintest.User{ID: "7", Login: "eve", Email: "eve@example.test"}, zitadel.Config{})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	if l.Identity.EmailVerified {
		t.Fatalf("identity %+v", l.Identity)
	}
}

func TestLogoutRevokes(t *testing.T) {
	f, b := instance(t, nil, nil, zitadel.Config{})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	f.WantLogoutRevokes(t, l)
}
