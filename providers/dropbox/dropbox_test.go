package dropbox_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/dropbox"
	"github.com/gindance/gindance/providers/internal/presettest"
)

func login(t *testing.T, cfg dropbox.Config, verified bool) *presettest.Login {
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "dbid:AAH4f99"}})
	// Like Dropbox's RPC endpoints: POST only, a JSON body required.
	f.API.HandleFunc("POST /users/get_current_account", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") != "application/json" || string(body) != "null" {
			http.Error(w, "Error in call to API function: request body: could not decode input as JSON", http.StatusBadRequest)
			return
		}
		presettest.JSON(w, map[string]any{"account_id": "dbid:AAH4f99", "email": "franz@example.test", "email_verified": verified,
			"name": map[string]any{"display_name": "Franz Ferdinand (Personal)"}, "profile_photo_url": "https://dl-web.example/p.jpg"})
	})
	e := f.Endpoints()
	cfg.ClientID, cfg.ClientSecret = gintest.DefaultClientID, gintest.DefaultClientSecret
	cfg.AuthURL, cfg.TokenURL, cfg.APIBaseURL = e.AuthURL, e.TokenURL, e.APIBaseURL
	cfg.Options = blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}
	l := f.Login(t, dropbox.New(cfg))
	if l.Status != http.StatusOK || l.Identity == nil {
		t.Fatalf("login: %d %s %v", l.Status, l.Body, l.IdentityErr)
	}
	return l
}

// TestDropboxOfflineAccess: token_access_type=offline, so the login
// yields a refresh token; PKCE and the default permission.
func TestDropboxOfflineAccess(t *testing.T) {
	l := login(t, dropbox.Config{}, true)
	if l.Authorize.Get("token_access_type") != "offline" || l.Authorize.Get("scope") != "account_info.read" ||
		l.Authorize.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	if l.Token.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	if login(t, dropbox.Config{Online: true}, true).Authorize.Get("token_access_type") != "online" {
		t.Fatal("Online did not ask for online access")
	}
}

// TestDropboxIdentityIsAPostWithJSON: users/get_current_account is an
// RPC call, a POST of the JSON null.
func TestDropboxIdentityIsAPostWithJSON(t *testing.T) {
	id := login(t, dropbox.Config{}, true).Identity
	if id.ID != "dbid:AAH4f99" || id.Name != "Franz Ferdinand (Personal)" || id.Email != "franz@example.test" || !id.EmailVerified ||
		id.AvatarURL != "https://dl-web.example/p.jpg" {
		t.Fatalf("identity %+v", id)
	}
}

func TestDropboxUnverifiedEmail(t *testing.T) {
	if id := login(t, dropbox.Config{}, false).Identity; id.EmailVerified {
		t.Fatalf("identity %+v", id)
	}
}
