package spotify_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/spotify"
)

func TestSpotifyLogin(t *testing.T) {
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "wizzler"}})
	f.API.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		presettest.JSON(w, map[string]any{"id": "wizzler", "display_name": "JM Wizzler", "email": "email@example.test",
			"images": []map[string]any{{"url": "https://i.scdn.example/a.jpg", "height": 300}}})
	})
	e := f.Endpoints()
	t.Setenv("SPOTIFY_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("SPOTIFY_CLIENT_SECRET", gintest.DefaultClientSecret)
	l := f.Login(t, spotify.New(spotify.Config{AuthURL: e.AuthURL, TokenURL: e.TokenURL, APIBaseURL: e.APIBaseURL,
		Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}}))
	if l.Status != http.StatusOK || l.Identity == nil {
		t.Fatalf("login: %d %s %v", l.Status, l.Body, l.IdentityErr)
	}
	if l.Authorize.Get("scope") != "user-read-email user-read-private" || l.Authorize.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	if tok := l.To("/token"); len(tok) != 1 || !strings.HasPrefix(tok[0].Header.Get("Authorization"), "Basic ") {
		t.Fatalf("token request %+v", tok)
	}
	id := l.Identity
	// Spotify documents the address as unverified.
	if id.ID != "wizzler" || id.Username != "wizzler" || id.Name != "JM Wizzler" || id.Email != "email@example.test" || id.EmailVerified ||
		id.AvatarURL != "https://i.scdn.example/a.jpg" {
		t.Fatalf("identity %+v", id)
	}
}
