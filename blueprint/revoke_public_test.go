package blueprint_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// RFC 7009 §2.1 with RFC 6749 §2.3.1: a public client's revocation
// identifies it by client_id alone, with no empty client_secret.
func TestPublicClientRevocationSendsNoSecret(t *testing.T) {
	p := gintest.NewProvider(gintest.Options{User: &gintest.User{ID: "u"}, Clients: []gintest.Client{{ID: "pub"}}})
	var mu sync.Mutex
	var revokes []url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/revoke" {
			_ = r.ParseForm()
			mu.Lock()
			revokes = append(revokes, r.PostForm)
			mu.Unlock()
		}
		p.ServeHTTP(w, r)
	}))
	defer srv.Close()
	p.SetBaseURL(srv.URL)
	b := blueprint.NewOAuth2("pub", blueprint.OAuth2Config{ClientID: "pub", PublicClient: true, TokenAuth: blueprint.ClientSecretPost,
		AuthURL: p.AuthURL(), TokenURL: p.TokenURL(), RevocationURL: p.RevokeURL(), APIBaseURL: p.APIBaseURL(),
		Options: blueprint.Options{LoginCookieKey: testLoginKey}})
	r := newEngine()
	b.Mount(r.Group("/login"))
	var logoutErr error
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "authorized=%v", b.Authorized(c)) })
	r.GET("/logout", func(c *gin.Context) { logoutErr = b.Logout(c); c.String(http.StatusOK, "bye") })
	app := httptest.NewServer(r)
	defer app.Close()
	br := gintest.NewBrowser()
	if page, err := br.Get(app.URL + "/login/pub"); err != nil || page.Body != "authorized=true" {
		t.Fatalf("login: %v %+v", err, page)
	}
	if _, err := br.Get(app.URL + "/logout"); err != nil || logoutErr != nil {
		t.Fatalf("logout: %v %v", err, logoutErr)
	}
	if len(revokes) != 1 || revokes[0].Get("client_id") != "pub" || revokes[0].Has("client_secret") {
		t.Fatalf("revocation forms %v, want client_id alone", revokes)
	}
}
