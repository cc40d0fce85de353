package discord_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/discord"
	"github.com/gindance/gindance/providers/internal/presettest"
)

func login(t *testing.T, verified bool, issuer func(*presettest.Fake) string) *presettest.Login {
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "80351110224678912"}})
	f.API.HandleFunc("GET /users/@me", func(w http.ResponseWriter, r *http.Request) {
		presettest.JSON(w, map[string]any{"id": "80351110224678912", "username": "nelly", "global_name": "Nelly",
			"email": "nelly@example.test", "verified": verified, "avatar": "8342729096ea3675442027381ff50dfe"})
	})
	e := f.Endpoints()
	return f.Login(t, discord.New(discord.Config{ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		AuthURL: e.AuthURL, TokenURL: e.TokenURL, RevocationURL: e.RevokeURL, APIBaseURL: e.APIBaseURL, Issuer: issuer(f),
		Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}}))
}

func fakeIssuer(f *presettest.Fake) string { return f.Provider.URL() }

func TestDiscordLogin(t *testing.T) {
	l := login(t, true, fakeIssuer)
	if l.Status != http.StatusOK {
		t.Fatalf("login: %d %s", l.Status, l.Body)
	}
	if l.Authorize.Get("scope") != "identify email" || l.Authorize.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	if tok := l.To("/token"); len(tok) != 1 || !strings.HasPrefix(tok[0].Header.Get("Authorization"), "Basic ") {
		t.Fatalf("token request %+v, want client_secret_basic", tok)
	}
	id := l.Identity
	if id.ID != "80351110224678912" || id.Username != "nelly" || id.Name != "Nelly" || id.Email != "nelly@example.test" || !id.EmailVerified ||
		id.AvatarURL != "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png" {
		t.Fatalf("identity %+v", id)
	}
}

func TestDiscordUnverifiedEmail(t *testing.T) {
	if id := login(t, false, fakeIssuer).Identity; id.Email != "nelly@example.test" || id.EmailVerified {
		t.Fatalf("identity %+v", id)
	}
}

// TestDiscordChecksTheIssuer (RFC 9207 §2.4): an authorization response
// from an issuer other than Discord's is refused before the code is
// exchanged.
func TestDiscordChecksTheIssuer(t *testing.T) {
	l := login(t, true, func(*presettest.Fake) string { return "" }) // default: https://discord.com
	if l.Status == http.StatusOK || len(l.To("/token")) != 0 {
		t.Fatalf("a response with iss %q was accepted for Discord: %d, %d token requests", "gintest's", l.Status, len(l.To("/token")))
	}
}

// TestDiscordLogoutRevokes: Logout revokes the refresh token at Discord's
// RFC 7009 endpoint, authenticated by HTTP Basic.
func TestDiscordLogoutRevokes(t *testing.T) {
	l := login(t, true, fakeIssuer)
	reqs, err := l.Logout(t)
	if err != nil || len(reqs) != 1 || reqs[0].URL.Path != "/revoke" || reqs[0].Form.Get("token") != l.Token.RefreshToken ||
		!strings.HasPrefix(reqs[0].Header.Get("Authorization"), "Basic ") {
		t.Fatalf("logout: %v, requests %+v", err, reqs)
	}
}
