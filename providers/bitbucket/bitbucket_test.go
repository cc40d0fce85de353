package bitbucket_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/bitbucket"
	"github.com/gindance/gindance/providers/internal/presettest"
)

func login(t *testing.T, scopes []string, primaryConfirmed bool) *presettest.Login {
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "u1"}})
	f.API.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		presettest.JSON(w, map[string]any{"uuid": "{c3a6f0e0-1}", "nickname": "tutorials", "display_name": "Tutorials Account",
			"links": map[string]any{"avatar": map[string]any{"href": "https://avatar.example/t.png"}}})
	})
	f.API.HandleFunc("GET /user/emails", func(w http.ResponseWriter, r *http.Request) {
		presettest.JSON(w, map[string]any{"values": []map[string]any{
			{"email": "old@example.test", "is_primary": false, "is_confirmed": true},
			{"email": "tut@example.test", "is_primary": true, "is_confirmed": primaryConfirmed},
		}})
	})
	e := f.Endpoints()
	return f.Login(t, bitbucket.New(bitbucket.Config{ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		Scopes: scopes, AuthURL: e.AuthURL, TokenURL: e.TokenURL, APIBaseURL: e.APIBaseURL, Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}}))
}

func TestBitbucketLogin(t *testing.T) {
	l := login(t, nil, true)
	if l.Status != http.StatusOK || l.Identity == nil {
		t.Fatalf("login: %d %s %v", l.Status, l.Body, l.IdentityErr)
	}
	if l.Authorize.Get("scope") != "account email" || l.Authorize.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	if tok := l.To("/token"); len(tok) != 1 || !strings.HasPrefix(tok[0].Header.Get("Authorization"), "Basic ") {
		t.Fatalf("token request %+v", tok)
	}
	id := l.Identity
	if id.ID != "{c3a6f0e0-1}" || id.Username != "tutorials" || id.Name != "Tutorials Account" || id.Email != "tut@example.test" ||
		!id.EmailVerified || id.AvatarURL != "https://avatar.example/t.png" {
		t.Fatalf("identity %+v", id)
	}
}

// An unconfirmed primary address is not reported, and a confirmed
// secondary one is not promoted.
func TestBitbucketUnconfirmedPrimaryEmail(t *testing.T) {
	if id := login(t, nil, false).Identity; id.Email != "" || id.EmailVerified {
		t.Fatalf("identity %+v", id)
	}
}

func TestBitbucketWithoutEmailScope(t *testing.T) {
	l := login(t, []string{"account"}, true)
	if len(l.To("/user/emails")) != 0 || l.Identity.Email != "" {
		t.Fatalf("user/emails asked without the email scope: %+v", l.Identity)
	}
}
