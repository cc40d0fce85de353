package heroku_test

import (
	"net/http"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/heroku"
	"github.com/gindance/gindance/providers/internal/presettest"
)

// TestHerokuLogin: the identity scope, the secret in the body, and
// /account asked with the version 3 media type (the fake answers 400
// without it, as Heroku does for an unversioned call).
func TestHerokuLogin(t *testing.T) {
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "01234567"},
		TokenQuirks: gintest.TokenQuirks{ClientAuth: gintest.ClientSecretPost}})
	f.API.HandleFunc("GET /account", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "application/vnd.heroku+json; version=3" {
			http.Error(w, `{"id":"bad_request","message":"Please specify a version"}`, http.StatusBadRequest)
			return
		}
		presettest.JSON(w, map[string]any{"id": "01234567-89ab-cdef-0123-456789abcdef", "email": "username@example.test",
			"name": "Tina Edmonds", "verified": true})
	})
	e := f.Endpoints()
	l := f.Login(t, heroku.New(heroku.Config{ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		AuthURL: e.AuthURL, TokenURL: e.TokenURL, APIBaseURL: e.APIBaseURL, Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}}))
	if l.Status != http.StatusOK || l.Identity == nil {
		t.Fatalf("login: %d %s %v", l.Status, l.Body, l.IdentityErr)
	}
	if l.Authorize.Get("scope") != "identity" || l.Authorize.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	if tok := l.To("/token"); len(tok) != 1 || tok[0].Header.Get("Accept") == heroku.APIAccept {
		t.Fatalf("token request %+v: the API media type is for API calls only", tok)
	}
	id := l.Identity
	if id.ID != "01234567-89ab-cdef-0123-456789abcdef" || id.Name != "Tina Edmonds" || id.Email != "username@example.test" || id.EmailVerified {
		t.Fatalf("identity %+v", id)
	}
}
