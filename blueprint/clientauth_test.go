package blueprint_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// RFC 6749 §2.3.1: client_secret_basic by default (the secret in the
// Authorization header, never in the body), client_secret_post when chosen
// (in the body, no Authorization header).
func TestTokenEndpointClientAuthentication(t *testing.T) {
	for _, method := range []blueprint.TokenAuthMethod{blueprint.ClientSecretBasic, blueprint.ClientSecretPost} {
		p := gintest.NewProvider(gintest.Options{User: &gintest.User{ID: "u", Login: "alice"}})
		var mu sync.Mutex
		var basic, inBody []bool
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/token" {
				_ = r.ParseForm()
				mu.Lock()
				basic = append(basic, r.Header.Get("Authorization") != "")
				inBody = append(inBody, r.PostForm.Get("client_secret") != "")
				mu.Unlock()
			}
			p.ServeHTTP(w, r)
		}))
		defer srv.Close()
		p.SetBaseURL(srv.URL)
		b := p.NewBlueprint("fake", func(c *blueprint.OAuth2Config) { c.TokenAuth = method })
		r := newEngine()
		b.Mount(r.Group("/login"))
		r.GET("/", func(c *gin.Context) { c.String(200, "authorized=%v", b.Authorized(c)) })
		app := httptest.NewServer(r)
		defer app.Close()
		page, err := gintest.NewBrowser().Get(app.URL + "/login/fake")
		if err != nil || page.Body != "authorized=true" {
			t.Fatalf("method %d: %v %q", method, err, page.Body)
		}
		wantBasic := method == blueprint.ClientSecretBasic
		if len(basic) != 1 || basic[0] != wantBasic || inBody[0] == wantBasic {
			t.Fatalf("method %d: Authorization header %v, secret in body %v", method, basic, inBody)
		}
	}
}

// Require answers a non-GET request without a login with 401 JSON, not a
// redirect a form post could not follow.
func TestRequireAnswersNonGETWith401(t *testing.T) {
	b := blueprint.NewOAuth2("idp", staticConfig(""))
	r := newEngine()
	b.Mount(r.Group("/login"))
	r.POST("/items", b.Require(), func(c *gin.Context) { c.String(200, "created") })
	w := serve(r, "POST", "/items", nil)
	if w.Code != http.StatusUnauthorized || w.Header().Get("Location") != "" {
		t.Fatalf("status %d, Location %q", w.Code, w.Header().Get("Location"))
	}
	mustContain(t, w.Body.String(), `"login":"/login/idp"`)
}
