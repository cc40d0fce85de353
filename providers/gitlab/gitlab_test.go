package gitlab_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/gitlab"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/oidc"
)

func instance(t *testing.T, claims map[string]any, user *gintest.User, cfg gitlab.Config) (*presettest.Fake, *oidc.Blueprint) {
	t.Setenv("GITLAB_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("GITLAB_CLIENT_SECRET", gintest.DefaultClientSecret)
	f := presettest.NewOIDC(t, gintest.OIDCOptions{User: user, Claims: claims, Quirks: gintest.OIDCQuirks{Revocation: true}})
	cfg.Host = f.OIDC.URL()
	cfg.HTTPClient, cfg.LoginCookieKey = f.Endpoints().HTTPClient, f.Endpoints().LoginCookieKey
	return f, gitlab.New(cfg)
}

// TestSelfManagedByHost: Host gives the issuer, and Identity reads
// userinfo too, with nickname as the username.
func TestSelfManagedByHost(t *testing.T) {
	f, b := instance(t, map[string]any{"nickname": "ada", "preferred_username": ""}, &gintest.User{ID: "1234", Name: "Ada Lovelace",
		Email: "ada@example.test", EmailVerified: true, AvatarURL: "https://gitlab.example/uploads/ada.png"}, gitlab.Config{})
	l := f.Login(t, b)
	presettest.WantClientAuth(t, presettest.WantOIDCLogin(t, l, "openid profile email", false), blueprint.ClientSecretBasic)
	if len(l.To("/userinfo")) == 0 {
		t.Error("userinfo not read")
	}
	presettest.WantIdentity(t, l.Identity, blueprint.Identity{ID: "1234", Username: "ada", Name: "Ada Lovelace",
		Email: "ada@example.test", EmailVerified: true, AvatarURL: "https://gitlab.example/uploads/ada.png"})
}

func TestUnverifiedEmailIsNotVerified(t *testing.T) {
	f, b := instance(t, nil, &gintest.User{ID: "9", Login: "eve", Email: "eve@example.test"}, gitlab.Config{})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	if l.Identity.EmailVerified || l.Identity.Username != "eve" {
		t.Fatalf("identity %+v", l.Identity)
	}
}

// TestAPIBaseIsAPIv4: Client's relative paths go to <Host>/api/v4/,
// on gitlab.com by default and on a self-managed host by Host.
func TestAPIBaseIsAPIv4(t *testing.T) {
	for host, want := range map[string]string{"": "https://gitlab.com/api/v4/user", "https://example.com/gitlab/": "https://example.com/gitlab/api/v4/user"} {
		var got string
		rt := roundTrip(func(r *http.Request) (*http.Response, error) {
			got = r.URL.String()
			return nil, errors.New("not sent")
		})
		b := gitlab.New(gitlab.Config{ClientID: "id", ClientSecret: "test-client-secret", Host: host,
			Options: blueprint.Options{HTTPClient: &http.Client{Transport: rt}}})
		gintest.SeedToken(b.Blueprint, &blueprint.Token{AccessToken: "glpat", TokenType: "Bearer"})
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
		if _, err := b.Client(c).Get("user"); err == nil || got != want {
			t.Errorf("Host %q: request to %q (%v), want %q", host, got, err, want)
		}
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestLogoutRevokes(t *testing.T) {
	f, b := instance(t, nil, nil, gitlab.Config{})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	f.WantLogoutRevokes(t, l)
}
