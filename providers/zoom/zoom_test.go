package zoom_test

import (
	"net/http"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/zoom"
)

func login(t *testing.T, verified int) *presettest.Login {
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "KDcuGIm1QgePTO8WbOqwIQ"},
		TokenQuirks: gintest.TokenQuirks{ClientAuth: gintest.ClientSecretBasic}})
	f.API.HandleFunc("GET /users/me", func(w http.ResponseWriter, r *http.Request) {
		presettest.JSON(w, map[string]any{"id": "KDcuGIm1QgePTO8WbOqwIQ", "first_name": "Jill", "last_name": "Chill", "display_name": "Jill Chill",
			"email": "jchill@example.test", "verified": verified, "pic_url": "https://example.test/pic.jpg"})
	})
	e := f.Endpoints()
	l := f.Login(t, zoom.New(zoom.Config{ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret, AuthURL: e.AuthURL,
		TokenURL: e.TokenURL, RevocationURL: e.RevokeURL, APIBaseURL: e.APIBaseURL, Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}}))
	if l.Status != http.StatusOK || l.Identity == nil {
		t.Fatalf("login: %d %s %v", l.Status, l.Body, l.IdentityErr)
	}
	return l
}

// TestZoomLogin: Basic client auth only (the fake refuses the body), PKCE,
// no scope asked (the app's configured ones apply), users/me.
func TestZoomLogin(t *testing.T) {
	l := login(t, 1)
	if l.Authorize.Has("scope") || l.Authorize.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	id := l.Identity
	if id.ID != "KDcuGIm1QgePTO8WbOqwIQ" || id.Name != "Jill Chill" || id.Email != "jchill@example.test" || !id.EmailVerified ||
		id.AvatarURL != "https://example.test/pic.jpg" {
		t.Fatalf("identity %+v", id)
	}
}

func TestZoomUnverifiedAccount(t *testing.T) {
	if id := login(t, 0).Identity; id.EmailVerified {
		t.Fatalf("identity %+v", id)
	}
}

// TestZoomLogoutRevokes: Logout revokes with Basic auth (the fake refuses
// credentials in the body).
func TestZoomLogoutRevokes(t *testing.T) {
	l := login(t, 1)
	if reqs, err := l.Logout(t); err != nil || len(reqs) != 1 || reqs[0].Form.Get("token") != l.Token.RefreshToken {
		t.Fatalf("logout: %v, requests %+v", err, reqs)
	}
}
