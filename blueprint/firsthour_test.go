package blueprint_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

// A confidential client whose secret was forgotten (an unset environment
// variable) fails Validate, and so Mount, at startup: the provider would
// refuse the code exchange with invalid_client (RFC 6749 §5.2) only after
// the user logged in. A public client (RFC 6749 §2.1) says so.
func TestClientSecretRequiredUnlessPublicClient(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tweak func(*blueprint.OAuth2Config)
		ok    bool
	}{
		{"with a secret", func(*blueprint.OAuth2Config) {}, true},
		{"no secret", func(c *blueprint.OAuth2Config) { c.ClientSecret = "" }, false},
		{"no secret, ClientSecretPost", func(c *blueprint.OAuth2Config) {
			c.ClientSecret, c.TokenAuth = "", blueprint.ClientSecretPost
		}, false},
		{"no secret, PublicClient", func(c *blueprint.OAuth2Config) { c.ClientSecret, c.PublicClient = "", true }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := staticConfig("")
			tc.tweak(&cfg)
			err := blueprint.NewOAuth2("fake", cfg).Validate()
			if tc.ok {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, blueprint.ErrConfig) || !strings.Contains(err.Error(), "ClientSecret") ||
				!strings.Contains(err.Error(), "PublicClient") {
				t.Fatalf("Validate: %v; want ErrConfig naming ClientSecret and PublicClient", err)
			}
		})
	}
}

// An APIBaseURL with a path but no trailing slash ("https://api.example/v1")
// is read as the directory it names: the relative path "me" is
// https://api.example/v1/me, not https://api.example/me, which RFC 3986
// §5.2.3 resolution against the bare URL would give.
func TestAPIBaseURLWithoutTrailingSlashKeepsItsPath(t *testing.T) {
	var got []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer api.Close()
	for _, base := range []string{api.URL + "/v1", api.URL + "/v1/"} {
		got = nil
		b := blueprint.NewOAuth2("fake", staticConfig(base))
		if err := b.Validate(); err != nil {
			t.Fatalf("APIBaseURL %q: Validate: %v", base, err)
		}
		b.TokenGetter(func(*gin.Context) (*blueprint.Token, error) {
			return &blueprint.Token{AccessToken: "at", TokenType: "Bearer"}, nil
		})
		r := newEngine()
		b.Mount(r.Group("/login"))
		r.GET("/", func(c *gin.Context) {
			var v map[string]any
			for _, p := range []string{"me", "users/me"} {
				if err := b.Client(c).GetJSON(p, &v); err != nil {
					c.String(http.StatusBadGateway, "%v", err)
					return
				}
			}
			c.String(http.StatusOK, "ok")
		})
		if w := serve(r, http.MethodGet, "/", nil); w.Code != http.StatusOK {
			t.Fatalf("APIBaseURL %q: %d %s", base, w.Code, w.Body)
		}
		if strings.Join(got, " ") != "/v1/me /v1/users/me" {
			t.Errorf("APIBaseURL %q: the API got %q; want /v1/me /v1/users/me", base, got)
		}
	}
}

// A session encryption key of the wrong size (64 bytes: the hex of
// openssl rand -hex 32, not decoded) is reported when the login starts,
// naming the key and how to make one, before the user is sent to the
// provider; gorilla/securecookie would fail only at the callback's save.
func TestSessionKeyOfWrongSizeFailsAtLoginStart(t *testing.T) {
	hexKey := []byte(strings.Repeat("ab", 32)) // 64 bytes
	for _, tc := range []struct {
		name  string
		store sessions.Store
		ok    bool
	}{
		{"good keys", cookie.NewStore(testHashKey, testBlockKey), true},
		{"hash key only", cookie.NewStore(testHashKey), true},
		{"64-byte encryption key", cookie.NewStore(testHashKey, hexKey), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := blueprint.NewOAuth2("fake", staticConfig(""))
			var got error
			b.OnError(func(c *gin.Context, err error) { got = err; blueprint.DefaultErrorHandler(c, err) })
			r := gin.New()
			r.Use(sessions.Sessions("gindance", tc.store))
			b.Mount(r.Group("/login"))
			w := serve(r, http.MethodGet, "/login/fake", nil)
			if tc.ok {
				if w.Code != http.StatusFound || got != nil {
					t.Fatalf("login start: %d, OnError %v; want a redirect to the provider", w.Code, got)
				}
				return
			}
			if w.Code == http.StatusFound {
				t.Fatalf("login start redirected to %s; want an error before the provider", w.Header().Get("Location"))
			}
			if !errors.Is(got, blueprint.ErrConfig) || !strings.Contains(got.Error(), "encryption key") ||
				!strings.Contains(got.Error(), "openssl rand -hex 32") {
				t.Fatalf("OnError got %v; want ErrConfig naming the encryption key and openssl rand -hex 32", got)
			}
		})
	}
}
