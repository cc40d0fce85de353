package atlassian_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/atlassian"
	"github.com/gindance/gindance/providers/internal/presettest"
)

func login(t *testing.T, verified bool, extra func(*blueprint.Blueprint)) *presettest.Login {
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "5b10a2844c20165700ede21g"}, RotateRefreshTokens: true})
	f.API.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		presettest.JSON(w, map[string]any{"account_id": "5b10a2844c20165700ede21g", "name": "Mia Krystof", "nickname": "mia",
			"email": "mia@example.test", "email_verified": verified, "picture": "https://avatar-management.example/mia.png"})
	})
	f.API.HandleFunc("GET /oauth/token/accessible-resources", func(w http.ResponseWriter, r *http.Request) {
		presettest.JSON(w, []map[string]any{{"id": "1324a887-45db-1bf4-1e99-ef0ff456d421", "url": "https://your-domain.atlassian.net",
			"name": "your-domain", "scopes": []string{"read:jira-work"}, "avatarUrl": "https://site-admin-avatar.example/a.png"}})
	})
	e := f.Endpoints()
	b := atlassian.New(atlassian.Config{ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		AuthURL: e.AuthURL, TokenURL: e.TokenURL, APIBaseURL: e.APIBaseURL, Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}})
	if extra != nil {
		extra(b)
	}
	l := f.Login(t, b)
	if l.Status != http.StatusOK || l.Identity == nil {
		t.Fatalf("login: %d %s %v", l.Status, l.Body, l.IdentityErr)
	}
	return l
}

// TestAtlassianAudienceAndConsent: the authorization carries
// audience=api.atlassian.com and prompt=consent, and offline_access gets
// a refresh token.
func TestAtlassianAudienceAndConsent(t *testing.T) {
	l := login(t, true, nil)
	q := l.Authorize
	if q.Get("audience") != "api.atlassian.com" || q.Get("prompt") != "consent" || q.Get("scope") != "read:me offline_access" {
		t.Fatalf("authorize query %v", q)
	}
	if tok := l.To("/token"); len(tok) != 1 || tok[0].Form.Get("client_secret") != gintest.DefaultClientSecret {
		t.Fatalf("token request %+v, want client_secret_post", tok)
	}
	if l.Token.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	id := l.Identity
	if id.ID != "5b10a2844c20165700ede21g" || id.Username != "mia" || id.Name != "Mia Krystof" || id.Email != "mia@example.test" ||
		!id.EmailVerified || id.AvatarURL != "https://avatar-management.example/mia.png" {
		t.Fatalf("identity %+v", id)
	}
}

func TestAtlassianUnverifiedEmail(t *testing.T) {
	if id := login(t, false, nil).Identity; id.EmailVerified {
		t.Fatalf("identity %+v", id)
	}
}

// TestAtlassianAccessibleResources: the cloud ID of each granted site.
func TestAtlassianAccessibleResources(t *testing.T) {
	var got []atlassian.Resource
	var err error
	login(t, true, func(b *blueprint.Blueprint) {
		b.OnLogin(func(c *gin.Context, tok *blueprint.Token) error {
			got, err = atlassian.AccessibleResources(b.Client(c))
			return err
		})
	})
	if err != nil || len(got) != 1 || got[0].ID != "1324a887-45db-1bf4-1e99-ef0ff456d421" || got[0].URL != "https://your-domain.atlassian.net" ||
		len(got[0].Scopes) != 1 {
		t.Fatalf("resources %+v, %v", got, err)
	}
}
