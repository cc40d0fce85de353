package facebook_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/facebook"
	"github.com/gindance/gindance/providers/internal/presettest"
)

func login(t *testing.T) (*presettest.Login, []string) {
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "10", Login: "zuck"}})
	var proofs []string
	f.API.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		proofs = append(proofs, r.URL.Query().Get("appsecret_proof"))
		presettest.JSON(w, map[string]any{"id": "10150000000000001", "name": "Mark Z", "email": "mark@example.test",
			"picture": map[string]any{"data": map[string]any{"url": "https://pics.example/10.jpg"}}})
	})
	e := f.Endpoints()
	t.Setenv("FACEBOOK_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("FACEBOOK_CLIENT_SECRET", gintest.DefaultClientSecret)
	b := facebook.New(facebook.Config{AuthURL: e.AuthURL, TokenURL: e.TokenURL, APIBaseURL: e.APIBaseURL,
		Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}})
	l := f.Login(t, b)
	if l.Status != http.StatusOK || l.Identity == nil {
		t.Fatalf("login: %d %q, identity %v", l.Status, l.Body, l.IdentityErr)
	}
	return l, proofs
}

// TestFacebookLogin: default permissions, PKCE, the secret as a token
// request parameter, and an identity whose unqualified email is not
// reported verified.
func TestFacebookLogin(t *testing.T) {
	l, _ := login(t)
	if l.Authorize.Get("scope") != "public_profile email" || l.Authorize.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	tok := l.To("/token")
	if len(tok) != 1 || tok[0].Form.Get("client_secret") != gintest.DefaultClientSecret || tok[0].Header.Get("Authorization") != "" {
		t.Fatalf("token request %+v, want client_secret_post", tok)
	}
	id := l.Identity
	if id.ID != "10150000000000001" || id.Name != "Mark Z" || id.Email != "mark@example.test" || id.EmailVerified ||
		id.AvatarURL != "https://pics.example/10.jpg" {
		t.Fatalf("identity %+v", id)
	}
}

// TestFacebookSignsAPICallsWithAppSecretProof: /me carries the HMAC-SHA256
// of the user's access token keyed with the app secret, and the token
// request carries none.
func TestFacebookSignsAPICallsWithAppSecretProof(t *testing.T) {
	l, proofs := login(t)
	want := facebook.AppSecretProof(gintest.DefaultClientSecret, l.Token.AccessToken)
	if len(proofs) != 1 || proofs[0] != want {
		t.Fatalf("appsecret_proof %q, want [%s]", proofs, want)
	}
	for _, r := range l.To("/token") {
		if r.URL.Query().Has("appsecret_proof") || r.Form.Has("appsecret_proof") {
			t.Fatal("the token request carried appsecret_proof")
		}
	}
}

// Test vector computed independently: HMAC-SHA256 with key "secret" over
// "token", hex (openssl dgst -sha256 -hmac secret).
func TestAppSecretProofVector(t *testing.T) {
	if got := facebook.AppSecretProof("secret", "token"); got != "e941110e3d2bfe82621f0e3e1434730d7305d106c5f68c87165d0b27a4611a4a" {
		t.Fatalf("proof %s", got)
	}
}

func TestFacebookAPIVersionInEndpoints(t *testing.T) {
	b := facebook.New(facebook.Config{ClientID: "i", ClientSecret: "test-client-secret", APIVersion: "v99.0"})
	r := gin.New()
	r.Use(sessions.Sessions("s", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"))))
	b.Mount(r)
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/facebook", nil))
	if loc := w.Header().Get("Location"); !strings.HasPrefix(loc, "https://www.facebook.com/v99.0/dialog/oauth?") {
		t.Fatalf("login redirect %q", loc)
	}
}
