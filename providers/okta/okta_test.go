package okta_test

import (
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/oidc"
	"github.com/gindance/gindance/providers/okta"
)

func org(t *testing.T, path string, user *gintest.User, cfg okta.Config) (*presettest.Fake, *oidc.Blueprint) {
	t.Setenv("OKTA_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("OKTA_CLIENT_SECRET", gintest.DefaultClientSecret)
	f := presettest.NewOIDC(t, gintest.OIDCOptions{User: user, Quirks: gintest.OIDCQuirks{IssuerPath: path, Revocation: true}})
	cfg.Domain = f.OIDC.URL()
	cfg.HTTPClient, cfg.LoginCookieKey = f.Endpoints().HTTPClient, f.Endpoints().LoginCookieKey
	return f, okta.New(cfg)
}

// TestLoginAtTheDefaultAuthorizationServer: the issuer is
// https://<Domain>/oauth2/default, the client authenticates with
// client_secret_basic, and Identity reads userinfo too.
func TestLoginAtTheDefaultAuthorizationServer(t *testing.T) {
	f, b := org(t, "/oauth2/default", &gintest.User{ID: "00u1", Login: "ada@example.test", Name: "Ada", Email: "ada@example.test",
		EmailVerified: true}, okta.Config{})
	l := f.Login(t, b)
	presettest.WantClientAuth(t, presettest.WantOIDCLogin(t, l, "openid profile email", false), blueprint.ClientSecretBasic)
	if len(l.To("/userinfo")) == 0 {
		t.Error("userinfo was not read: profile claims an Okta id_token leaves out would be missing")
	}
	presettest.WantIdentity(t, l.Identity, blueprint.Identity{ID: "00u1", Username: "ada@example.test", Name: "Ada",
		Email: "ada@example.test", EmailVerified: true})
}

func TestOrgAndCustomAuthorizationServers(t *testing.T) {
	f, b := org(t, "", nil, okta.Config{OrgAuthorizationServer: true})
	presettest.WantOIDCLogin(t, f.Login(t, b), "openid profile email", false)
	f, b = org(t, "/oauth2/aus9", nil, okta.Config{AuthorizationServer: "aus9"})
	presettest.WantOIDCLogin(t, f.Login(t, b), "openid profile email", false)
	if got := okta.Issuer("dev-1.okta.com/", "default"); got != "https://dev-1.okta.com/oauth2/default" {
		t.Errorf("Issuer = %q", got)
	}
}

// TestOfflineAsksForOfflineAccess: Okta issues a refresh token only for
// the offline_access scope.
func TestOfflineAsksForOfflineAccess(t *testing.T) {
	f, b := org(t, "/oauth2/default", nil, okta.Config{Offline: true})
	presettest.WantOIDCLogin(t, f.Login(t, b), "openid profile email offline_access", false)
}

func TestUnverifiedEmailIsNotVerified(t *testing.T) {
	f, b := org(t, "/oauth2/default", &gintest.User{ID: "00u2", Login: "eve", Email: "eve@example.test"}, okta.Config{})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	if l.Identity.EmailVerified {
		t.Fatalf("identity %+v", l.Identity)
	}
}

func TestLogoutRevokes(t *testing.T) {
	f, b := org(t, "/oauth2/default", nil, okta.Config{})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	f.WantLogoutRevokes(t, l)
}
