package presettest_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
)

// The harness sees the authorization request, the token request and the
// API call, and hands back the identity the blueprint mapped.
func TestLoginRecordsWhatTheProviderSaw(t *testing.T) {
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "7", Login: "ada"}})
	f.API.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		presettest.JSON(w, map[string]any{"id": "7", "login": "ada"})
	})
	e := f.Endpoints()
	b := blueprint.NewOAuth2("acme", blueprint.OAuth2Config{ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		AuthURL: e.AuthURL, TokenURL: e.TokenURL, APIBaseURL: e.APIBaseURL, Scopes: []string{"profile"},
		Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}})
	b.IdentityGetter(func(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
		var u struct{ ID, Login string }
		if err := cl.GetJSON("user", &u); err != nil {
			return nil, err
		}
		return &blueprint.Identity{ID: u.ID, Username: u.Login}, nil
	})
	l := f.Login(t, b)
	if l.Status != http.StatusOK || l.Identity == nil || l.Identity.Username != "ada" {
		t.Fatalf("login: %d %q, identity %+v (%v)", l.Status, l.Body, l.Identity, l.IdentityErr)
	}
	if l.Authorize.Get("code_challenge_method") != "S256" || l.Authorize.Get("scope") != "profile" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	tok := l.To("/token")
	if len(tok) != 1 || tok[0].Form.Get("grant_type") != "authorization_code" || tok[0].Form.Get("code_verifier") == "" {
		t.Fatalf("token requests %+v", tok)
	}
	if len(l.To("/user")) != 1 {
		t.Fatalf("API calls %+v", l.Requests)
	}
}

// Logout reports the revocation request the blueprint made.
func TestLogoutRecordsTheRevocation(t *testing.T) {
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "7"}})
	e := f.Endpoints()
	b := blueprint.NewOAuth2("acme", blueprint.OAuth2Config{ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		AuthURL: e.AuthURL, TokenURL: e.TokenURL, RevocationURL: e.RevokeURL, APIBaseURL: e.APIBaseURL,
		Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}})
	l := f.Login(t, b)
	reqs, err := l.Logout(t)
	if err != nil || len(reqs) != 1 || reqs[0].URL.Path != "/revoke" || reqs[0].Form.Get("token") != l.Token.RefreshToken {
		t.Fatalf("logout: %v, requests %+v", err, reqs)
	}
}
