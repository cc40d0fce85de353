package reddit_test

import (
	"net/http"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/reddit"
)

// login runs a Reddit login against a fake that, like Reddit, takes client
// credentials in HTTP Basic only.
func login(t *testing.T, cfg reddit.Config) *presettest.Login {
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "abc12"},
		TokenQuirks: gintest.TokenQuirks{ClientAuth: gintest.ClientSecretBasic}})
	f.API.HandleFunc("GET /api/v1/me", func(w http.ResponseWriter, r *http.Request) {
		presettest.JSON(w, map[string]any{"id": "abc12", "name": "spez", "icon_img": "https://styles.redditmedia.example/a.png?width=256&amp;s=x",
			"subreddit": map[string]any{"title": "Spez"}})
	})
	e := f.Endpoints()
	cfg.ClientID, cfg.ClientSecret = gintest.DefaultClientID, gintest.DefaultClientSecret
	cfg.AuthURL, cfg.TokenURL, cfg.RevocationURL, cfg.APIBaseURL = e.AuthURL, e.TokenURL, e.RevokeURL, e.APIBaseURL
	cfg.Options = blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}
	l := f.Login(t, reddit.New(cfg))
	if l.Status != http.StatusOK || l.Identity == nil {
		t.Fatalf("login: %d %s %v", l.Status, l.Body, l.IdentityErr)
	}
	return l
}

// TestRedditLogin: a permanent grant with the identity scope, Basic
// client auth (the fake refuses any other), and the identity of
// api/v1/me with its HTML-escaped icon URL unescaped.
func TestRedditLogin(t *testing.T) {
	l := login(t, reddit.Config{})
	if l.Authorize.Get("duration") != "permanent" || l.Authorize.Get("scope") != "identity" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	if l.Token.RefreshToken == "" {
		t.Fatal("no refresh token from a permanent grant")
	}
	id := l.Identity
	if id.ID != "abc12" || id.Username != "spez" || id.Name != "Spez" || id.Email != "" ||
		id.AvatarURL != "https://styles.redditmedia.example/a.png?width=256&s=x" {
		t.Fatalf("identity %+v", id)
	}
}

func TestRedditTemporaryGrant(t *testing.T) {
	if l := login(t, reddit.Config{Temporary: true}); l.Authorize.Get("duration") != "temporary" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
}

// TestRedditSendsUserAgent: the token request and the API call both carry
// the app's User-Agent, not Go's default.
func TestRedditSendsUserAgent(t *testing.T) {
	const ua = "web:com.example.app:v1.0 (by /u/example)"
	l := login(t, reddit.Config{UserAgent: ua})
	for _, path := range []string{"/token", "/api/v1/me"} {
		reqs := l.To(path)
		if len(reqs) != 1 {
			t.Fatalf("%s: %d requests", path, len(reqs))
		}
		if got := reqs[0].Header.Get("User-Agent"); got != ua {
			t.Fatalf("%s: User-Agent %q", path, got)
		}
	}
	def := login(t, reddit.Config{})
	if got := def.To("/api/v1/me")[0].Header.Get("User-Agent"); got != "web:"+gintest.DefaultClientID+":gindance (Go)" {
		t.Fatalf("default User-Agent %q", got)
	}
}

// TestRedditLogoutRevokes: Logout revokes at revoke_token with Basic auth
// (the fake refuses any other) and the User-Agent.
func TestRedditLogoutRevokes(t *testing.T) {
	const ua = "web:com.example.app:v1.0 (by /u/example)"
	l := login(t, reddit.Config{UserAgent: ua})
	reqs, err := l.Logout(t)
	if err != nil || len(reqs) != 1 || reqs[0].Form.Get("token") != l.Token.RefreshToken || reqs[0].Header.Get("User-Agent") != ua {
		t.Fatalf("logout: %v, requests %+v", err, reqs)
	}
}
