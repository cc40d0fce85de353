package digitalocean_test

import (
	"net/http"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/digitalocean"
	"github.com/gindance/gindance/providers/internal/presettest"
)

func login(t *testing.T, verified bool) *presettest.Login {
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "b6fr89dbf6d9156cace5f3c78dc9851d957381ef"},
		TokenQuirks: gintest.TokenQuirks{ClientAuth: gintest.ClientSecretPost, ResponseExtra: func(string, *gintest.User) map[string]any {
			return map[string]any{"info": map[string]any{"name": "Sammy the Shark", "email": "sammy@example.test", "uuid": "b6fr89db"}}
		}}})
	f.API.HandleFunc("GET /account", func(w http.ResponseWriter, r *http.Request) {
		presettest.JSON(w, map[string]any{"account": map[string]any{"uuid": "b6fr89dbf6d9156cace5f3c78dc9851d957381ef",
			"email": "sammy@example.test", "email_verified": verified, "status": "active"}})
	})
	e := f.Endpoints()
	l := f.Login(t, digitalocean.New(digitalocean.Config{ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		AuthURL: e.AuthURL, TokenURL: e.TokenURL, APIBaseURL: e.APIBaseURL, Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}}))
	if l.Status != http.StatusOK || l.Identity == nil {
		t.Fatalf("login: %d %s %v", l.Status, l.Body, l.IdentityErr)
	}
	return l
}

// TestDigitalOceanLogin: the read scope, PKCE, the secret in the body (the
// fake takes no Basic), the account's uuid and verified email, and the
// name from the token response's info.
func TestDigitalOceanLogin(t *testing.T) {
	l := login(t, true)
	if l.Authorize.Get("scope") != "read" || l.Authorize.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	id := l.Identity
	if id.ID != "b6fr89dbf6d9156cace5f3c78dc9851d957381ef" || id.Name != "Sammy the Shark" || id.Email != "sammy@example.test" || !id.EmailVerified {
		t.Fatalf("identity %+v", id)
	}
}

func TestDigitalOceanUnverifiedEmail(t *testing.T) {
	if id := login(t, false).Identity; id.EmailVerified {
		t.Fatalf("identity %+v", id)
	}
}
