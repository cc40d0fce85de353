package github_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/github"
)

func init() { gin.SetMode(gin.TestMode) }

// fakeAPI is GitHub's /user and /user/emails for tokens the gintest
// provider issued (checked at its /api/me).
func fakeAPI(t *testing.T, p *gintest.Provider) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequest(http.MethodGet, p.APIBaseURL()+"me", nil)
		req.Header.Set("Authorization", r.Header.Get("Authorization"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		resp.Body.Close()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/user":
			json.NewEncoder(w).Encode(map[string]any{"id": 42, "login": "octocat", "name": "The Octocat", "email": "public@example.test", "avatar_url": "https://avatars.example/42"})
		case "/user/emails":
			json.NewEncoder(w).Encode([]map[string]any{
				{"email": "old@example.test", "primary": false, "verified": true},
				{"email": "octo@example.test", "primary": true, "verified": true},
			})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

type recorder struct {
	mu      sync.Mutex
	accepts map[string]string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.accepts[req.URL.Path] = req.Header.Get("Accept")
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// run logs in with scopes against a provider that, like GitHub's token
// endpoint, separates the granted scopes with commas ("read:user,user:email").
func run(t *testing.T, scopes []string) (body string, rec *recorder) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "42", Login: "octocat"},
		TokenQuirks: gintest.TokenQuirks{ScopeSeparator: ","}})
	t.Cleanup(p.Close)
	api := fakeAPI(t, p)
	rec = &recorder{accepts: map[string]string{}}
	t.Setenv("GITHUB_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("GITHUB_CLIENT_SECRET", gintest.DefaultClientSecret)
	gh := github.New(github.Config{Scopes: scopes, AuthURL: p.AuthURL(), TokenURL: p.TokenURL(),
		APIBaseURL: api.URL + "/", Options: blueprint.Options{HTTPClient: &http.Client{Transport: rec}}})
	r := gin.New()
	r.Use(sessions.Sessions("s", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"))))
	gh.Mount(r.Group("/login"))
	r.GET("/", gh.Require(), func(c *gin.Context) {
		id, err := gh.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "%s %s %s %v", id.ID, id.Username, id.Email, id.EmailVerified)
	})
	app := httptest.NewServer(r)
	t.Cleanup(app.Close)
	page, err := gintest.NewBrowser().Get(app.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	return page.Body, rec
}

// TestIdentityWithPrimaryEmail: with user:email, Identity takes the
// primary verified address of /user/emails; credentials come from the
// environment; the token endpoint is asked for JSON.
func TestIdentityWithPrimaryEmail(t *testing.T) {
	body, rec := run(t, []string{"user:email"})
	if body != "42 octocat octo@example.test true" {
		t.Fatalf("identity: %q", body)
	}
	if got := rec.accepts["/token"]; got != "application/json" {
		t.Fatalf("token request Accept %q, want application/json", got)
	}
}

// TestIdentityWithEmailScopeAmongOthers: GitHub's token response says
// "read:user,user:email"; the scopes are read apart, so user:email is seen
// and the verified address is taken.
func TestIdentityWithEmailScopeAmongOthers(t *testing.T) {
	if body, _ := run(t, []string{"read:user", "user:email"}); body != "42 octocat octo@example.test true" {
		t.Fatalf("identity: %q", body)
	}
}

// TestIdentityWithoutEmailScope: without the scope /user/emails is not
// asked and the public address is not called verified.
func TestIdentityWithoutEmailScope(t *testing.T) {
	body, rec := run(t, []string{"read:user"})
	if body != "42 octocat public@example.test false" {
		t.Fatalf("identity: %q", body)
	}
	if _, asked := rec.accepts["/user/emails"]; asked {
		t.Fatal("/user/emails was called without the user:email scope")
	}
}

// TestMountNamesTheMissingSecret: a clear error at Mount, not at a
// user's login.
func TestMountNamesTheMissingSecret(t *testing.T) {
	t.Setenv("GITHUB_CLIENT_ID", "id")
	t.Setenv("GITHUB_CLIENT_SECRET", "")
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "GITHUB_CLIENT_SECRET") {
			t.Fatalf("Mount panic %v, want one naming GITHUB_CLIENT_SECRET", r)
		}
	}()
	github.New(github.Config{}).Mount(gin.New())
}

func TestEnterpriseHost(t *testing.T) {
	b := github.New(github.Config{ClientID: "i", ClientSecret: "test-client-secret", Host: "ghe.example.com"})
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	r.Use(sessions.Sessions("s", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"))))
	b.Mount(r)
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/github", nil))
	if loc := w.Header().Get("Location"); !strings.HasPrefix(loc, "https://ghe.example.com/login/oauth/authorize?") {
		t.Fatalf("login redirect %q", loc)
	}
}
