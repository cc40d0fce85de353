package authentik_test

import (
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/authentik"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/oidc"
)

func application(t *testing.T, user *gintest.User, cfg authentik.Config) (*presettest.Fake, *oidc.Blueprint) {
	t.Setenv("AUTHENTIK_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("AUTHENTIK_CLIENT_SECRET", gintest.DefaultClientSecret)
	f := presettest.NewOIDC(t, gintest.OIDCOptions{User: user, Quirks: gintest.OIDCQuirks{IssuerPath: "/application/o/my-app/", Revocation: true}})
	cfg.BaseURL, cfg.Slug = f.OIDC.URL(), "my-app"
	cfg.HTTPClient, cfg.LoginCookieKey = f.Endpoints().HTTPClient, f.Endpoints().LoginCookieKey
	return f, authentik.New(cfg)
}

// TestPerApplicationIssuer: the issuer is BaseURL/application/o/<slug>/,
// trailing slash included, and discovery is read below it.
func TestPerApplicationIssuer(t *testing.T) {
	f, b := application(t, &gintest.User{ID: "5f1c", Login: "akadmin", Name: "Ada", Email: "ada@example.test", EmailVerified: true},
		authentik.Config{})
	l := f.Login(t, b)
	presettest.WantClientAuth(t, presettest.WantOIDCLogin(t, l, "openid profile email", false), blueprint.ClientSecretBasic)
	if len(l.To("/application/o/my-app/.well-known/openid-configuration")) != 1 {
		t.Errorf("discovery not read below the application's issuer: %+v", l.Requests)
	}
	presettest.WantIdentity(t, l.Identity, blueprint.Identity{ID: "5f1c", Username: "akadmin", Name: "Ada",
		Email: "ada@example.test", EmailVerified: true})
	if got := authentik.Issuer("auth.example.com/", "wiki"); got != "https://auth.example.com/application/o/wiki/" {
		t.Errorf("Issuer = %q", got)
	}
}

func TestOfflineAndUnverifiedEmail(t *testing.T) {
	f, b := application(t, &gintest.User{ID: "6", Login: "eve", Email: "eve@example.test"}, authentik.Config{Offline: true})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email offline_access", false)
	if l.Identity.EmailVerified {
		t.Fatalf("identity %+v", l.Identity)
	}
}

func TestLogoutRevokes(t *testing.T) {
	f, b := application(t, nil, authentik.Config{})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	f.WantLogoutRevokes(t, l)
}
