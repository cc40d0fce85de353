package twitch_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/twitch"
)

// twitchFake is Twitch's shape: client_secret_post only, scope as an array.
func twitchFake(t *testing.T, user *gintest.User, tokenExtra ...map[string]any) (*presettest.Fake, twitch.Config) {
	t.Setenv("TWITCH_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("TWITCH_CLIENT_SECRET", gintest.DefaultClientSecret)
	q := gintest.OIDCQuirks{PostAuthOnly: true, ScopeArray: true}
	if len(tokenExtra) > 0 {
		q.TokenExtra = tokenExtra[0]
	}
	f := presettest.NewOIDC(t, gintest.OIDCOptions{User: user, Quirks: q})
	e := f.Endpoints()
	return f, twitch.Config{Issuer: e.Issuer, APIBaseURL: e.APIBaseURL, Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}}
}

// TestTwitchLogin: client_secret_post (Twitch refuses Basic), the claims
// parameter that makes Twitch put email and picture in the id_token, and
// the identity.
func TestTwitchLogin(t *testing.T) {
	f, cfg := twitchFake(t, &gintest.User{ID: "141981764", Login: "TwitchDev", Email: "dev@example.test", EmailVerified: true,
		AvatarURL: "https://static-cdn.example/dev.png"})
	l := f.Login(t, twitch.New(cfg).Blueprint)
	presettest.WantClientAuth(t, presettest.WantOIDCLogin(t, l, "openid user:read:email", false), blueprint.ClientSecretPost)
	var claims map[string]map[string]any
	if err := json.Unmarshal([]byte(l.Authorize.Get("claims")), &claims); err != nil {
		t.Fatalf("claims parameter %q: %v", l.Authorize.Get("claims"), err)
	}
	for _, c := range []string{"email", "email_verified", "picture", "preferred_username"} {
		if _, ok := claims["id_token"][c]; !ok {
			t.Errorf("claims parameter does not ask for %s in the id_token: %v", c, claims)
		}
	}
	presettest.WantIdentity(t, l.Identity, blueprint.Identity{ID: "141981764", Username: "TwitchDev", Name: "TwitchDev",
		Email: "dev@example.test", EmailVerified: true, AvatarURL: "https://static-cdn.example/dev.png"})
}

// TestTwitchScopeArrayInTokenResponse: Twitch's token response carries
// scope as a JSON array; the login must not fail on it, and Token.Scopes
// are the scopes it lists.
func TestTwitchScopeArrayInTokenResponse(t *testing.T) {
	// the user granted openid alone, which the array says
	f, cfg := twitchFake(t, nil, map[string]any{"scope": []string{"openid"}})
	l := f.Login(t, twitch.New(cfg).Blueprint)
	presettest.WantOIDCLogin(t, l, "openid user:read:email", false)
	if !slices.Equal(l.Token.Scopes, []string{"openid"}) {
		t.Fatalf("token scopes %v", l.Token.Scopes)
	}
}

func TestTwitchUnverifiedEmail(t *testing.T) {
	f, cfg := twitchFake(t, &gintest.User{ID: "7", Login: "eve", Email: "eve@example.test"})
	l := f.Login(t, twitch.New(cfg).Blueprint)
	presettest.WantOIDCLogin(t, l, "openid user:read:email", false)
	if l.Identity.EmailVerified {
		t.Fatalf("identity %+v", l.Identity)
	}
}

// TestTwitchSendsClientIDOnAPICalls: Helix wants Client-Id with every
// request; it goes to the API's origin and to no other host (not the
// token endpoint, not an allowed upload host).
func TestTwitchSendsClientIDOnAPICalls(t *testing.T) {
	f, cfg := twitchFake(t, nil)
	var apiClientID string
	f.API.HandleFunc("GET /users", func(w http.ResponseWriter, r *http.Request) {
		apiClientID = r.Header.Get("Client-Id")
		presettest.JSON(w, map[string]any{"data": []any{map[string]any{"login": "alice"}}})
	})
	var otherClientID, otherSeen = "", false
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherClientID, otherSeen = r.Header.Get("Client-Id"), true
		presettest.JSON(w, map[string]any{})
	}))
	t.Cleanup(other.Close)
	cfg.AllowedHosts = []string{other.URL}
	b := twitch.New(cfg)

	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid user:read:email", false)
	for _, r := range l.Requests {
		if r.Header.Get("Client-Id") != "" {
			t.Errorf("Client-Id sent to %s, which is not the API", r.URL)
		}
	}

	gintest.SeedToken(b.Blueprint, &blueprint.Token{AccessToken: "twitch-at", TokenType: "Bearer"})
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
	var users struct{ Data []struct{ Login string } }
	if err := b.Client(c).GetJSON("users", &users); err != nil || len(users.Data) != 1 {
		t.Fatalf("Helix call: %v %+v", err, users)
	}
	if apiClientID != gintest.DefaultClientID {
		t.Errorf("Client-Id on the API call = %q, want %q", apiClientID, gintest.DefaultClientID)
	}
	var ignored map[string]any
	if err := b.Client(c).GetJSON(other.URL+"/upload", &ignored); err != nil || !otherSeen || otherClientID != "" {
		t.Errorf("allowed host: %v, seen %v, Client-Id %q (want none)", err, otherSeen, otherClientID)
	}
}
