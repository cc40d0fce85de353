package twitter_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/twitter"
)

func loginOAuth2(t *testing.T, opts gintest.Options, cfg twitter.OAuth2Config) *presettest.Login {
	opts.User = &gintest.User{ID: "2244994945"}
	f := presettest.NewOAuth2(t, opts)
	f.API.HandleFunc("GET /users/me", func(w http.ResponseWriter, r *http.Request) {
		data := map[string]any{"id": "2244994945", "name": "X Dev", "username": "XDevelopers", "profile_image_url": "https://pbs.example/x.jpg"}
		if strings.Contains(r.URL.Query().Get("user.fields"), "confirmed_email") {
			data["confirmed_email"] = "dev@example.test"
		}
		presettest.JSON(w, map[string]any{"data": data})
	})
	e := f.Endpoints()
	cfg.AuthURL, cfg.TokenURL, cfg.RevocationURL, cfg.APIBaseURL = e.AuthURL, e.TokenURL, e.RevokeURL, e.APIBaseURL
	cfg.Options = blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}
	l := f.Login(t, twitter.NewOAuth2(cfg))
	if l.Status != http.StatusOK || l.Identity == nil {
		t.Fatalf("login: %d %s %v", l.Status, l.Body, l.IdentityErr)
	}
	return l
}

// TestTwitterOAuth2ConfidentialClient: PKCE S256, offline.access for a
// refresh token, HTTP Basic client auth (the fake takes no other), and
// users/me.
func TestTwitterOAuth2ConfidentialClient(t *testing.T) {
	t.Setenv("TWITTER_OAUTH2_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("TWITTER_OAUTH2_CLIENT_SECRET", gintest.DefaultClientSecret)
	l := loginOAuth2(t, gintest.Options{TokenQuirks: gintest.TokenQuirks{ClientAuth: gintest.ClientSecretBasic}}, twitter.OAuth2Config{})
	if l.Authorize.Get("scope") != "tweet.read users.read offline.access" || l.Authorize.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	if tok := l.To("/token"); len(tok) != 1 || !strings.HasPrefix(tok[0].Header.Get("Authorization"), "Basic ") {
		t.Fatalf("token request %+v", tok)
	}
	if l.Token.RefreshToken == "" {
		t.Fatal("no refresh token with offline.access")
	}
	id := l.Identity
	if id.ID != "2244994945" || id.Username != "XDevelopers" || id.Name != "X Dev" || id.Email != "" || id.EmailVerified ||
		id.AvatarURL != "https://pbs.example/x.jpg" {
		t.Fatalf("identity %+v", id)
	}
	if me := l.To("/users/me"); len(me) != 1 || me[0].URL.Query().Get("user.fields") != "profile_image_url" {
		t.Fatalf("users/me %+v", me)
	}
	reqs, err := l.Logout(t)
	if err != nil || len(reqs) != 1 || reqs[0].Form.Get("token") != l.Token.RefreshToken ||
		!strings.HasPrefix(reqs[0].Header.Get("Authorization"), "Basic ") {
		t.Fatalf("logout: %v, requests %+v", err, reqs)
	}
}

// TestTwitterOAuth2PublicClient: no secret, client_id in the body, no
// Authorization header, PKCE carrying the exchange.
func TestTwitterOAuth2PublicClient(t *testing.T) {
	t.Setenv("TWITTER_OAUTH2_CLIENT_SECRET", "")
	l := loginOAuth2(t, gintest.Options{Clients: []gintest.Client{{ID: "x-native"}}},
		twitter.OAuth2Config{ClientID: "x-native", PublicClient: true})
	tok := l.To("/token")
	if len(tok) != 1 || tok[0].Header.Get("Authorization") != "" || tok[0].Form.Get("client_id") != "x-native" ||
		tok[0].Form.Has("client_secret") || tok[0].Form.Get("code_verifier") == "" {
		t.Fatalf("token request %+v", tok)
	}
	reqs, err := l.Logout(t)
	if err != nil || len(reqs) != 1 || reqs[0].Form.Get("client_id") != "x-native" || reqs[0].Form.Has("client_secret") ||
		reqs[0].Header.Get("Authorization") != "" {
		t.Fatalf("logout: %v, requests %+v", err, reqs)
	}
}

// With users.email, confirmed_email is asked for and reported verified.
func TestTwitterOAuth2ConfirmedEmail(t *testing.T) {
	l := loginOAuth2(t, gintest.Options{}, twitter.OAuth2Config{ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		Scopes: []string{"tweet.read", "users.read", "users.email"}})
	if id := l.Identity; id.Email != "dev@example.test" || !id.EmailVerified {
		t.Fatalf("identity %+v", id)
	}
}

func TestTwitterOAuth2MissingSecretNamesItsOwnVariables(t *testing.T) {
	t.Setenv("TWITTER_OAUTH2_CLIENT_ID", "id")
	t.Setenv("TWITTER_OAUTH2_CLIENT_SECRET", "")
	err := twitter.NewOAuth2(twitter.OAuth2Config{}).Validate()
	if err == nil || !strings.Contains(err.Error(), "TWITTER_OAUTH2_CLIENT_SECRET") {
		t.Fatalf("Validate: %v", err)
	}
}
