package gitea_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/gitea"
	"github.com/gindance/gindance/providers/internal/presettest"
)

func login(t *testing.T, primaryVerified bool) *presettest.Login {
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "1"}})
	f.API.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		presettest.JSON(w, map[string]any{"id": 1, "login": "gitea", "full_name": "Gitea Admin", "email": "unverified@example.test",
			"avatar_url": "https://gitea.example/avatars/1"})
	})
	f.API.HandleFunc("GET /user/emails", func(w http.ResponseWriter, r *http.Request) {
		presettest.JSON(w, []map[string]any{{"email": "old@example.test", "verified": true, "primary": false},
			{"email": "admin@example.test", "verified": primaryVerified, "primary": true}})
	})
	e := f.Endpoints()
	l := f.Login(t, gitea.New(gitea.Config{ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		AuthURL: e.AuthURL, TokenURL: e.TokenURL, APIBaseURL: e.APIBaseURL, Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}}))
	if l.Status != http.StatusOK || l.Identity == nil {
		t.Fatalf("login: %d %s %v", l.Status, l.Body, l.IdentityErr)
	}
	return l
}

func TestGiteaLogin(t *testing.T) {
	l := login(t, true)
	if l.Authorize.Get("scope") != "read:user" || l.Authorize.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	id := l.Identity
	if id.ID != "1" || id.Username != "gitea" || id.Name != "Gitea Admin" || id.Email != "admin@example.test" || !id.EmailVerified ||
		id.AvatarURL != "https://gitea.example/avatars/1" {
		t.Fatalf("identity %+v", id)
	}
}

// TestGiteaUnverifiedPrimaryEmail: neither the unverified primary nor
// /user's address is reported.
func TestGiteaUnverifiedPrimaryEmail(t *testing.T) {
	if id := login(t, false).Identity; id.Email != "" || id.EmailVerified {
		t.Fatalf("identity %+v", id)
	}
}

// TestGiteaSelfHostedBaseURL: the endpoints follow BaseURL, under a path
// too (a Forgejo instance here).
func TestGiteaSelfHostedBaseURL(t *testing.T) {
	b := gitea.New(gitea.Config{ClientID: "i", ClientSecret: "test-client-secret", BaseURL: "https://forge.example.com/git/", Name: "forgejo"})
	r := gin.New()
	r.Use(sessions.Sessions("s", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"))))
	b.Mount(r)
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/forgejo", nil))
	if loc := w.Header().Get("Location"); !strings.HasPrefix(loc, "https://forge.example.com/git/login/oauth/authorize?") {
		t.Fatalf("login redirect %q", loc)
	}
}
