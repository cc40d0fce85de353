package blueprint_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
)

// A DPoP-bound token (RFC 9449 §7.1) works through HTTPClient and ClientFor,
// each call with a proof of its own, against a server that requires them;
// a TokenSource refuses it, as no proof would go with it; and an access
// token the provider revoked is answered with one refresh, proven with the
// token's key, and the call sent again.
func TestDPoPThroughHTTPClientClientForAndTokenSource_RFC9449_7(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{RequireDPoP: true, User: &gintest.User{ID: "u-1", Login: "alice"}})
	t.Cleanup(p.Close)
	bp := p.NewBlueprint("idp", func(c *blueprint.OAuth2Config) { c.DPoP = true })
	s := memory.New(storage.Config{User: func(*gin.Context) (string, error) { return "u1", nil }})
	bp.SetStorage(s)
	r := newEngine()
	bp.Mount(r.Group("/login"))
	viaHTTPClient := func(c *gin.Context) (string, error) {
		req, _ := http.NewRequestWithContext(c.Request.Context(), http.MethodGet, p.APIBaseURL()+"me", nil)
		return answer(bp.Client(c).HTTPClient().Do(req))
	}
	var got string
	var gotErr error
	r.GET("/httpclient", func(c *gin.Context) { got, gotErr = viaHTTPClient(c) })
	r.GET("/tokensource", func(c *gin.Context) { _, gotErr = bp.TokenSource(c).Token() })
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	app := srv.URL
	br := gintest.NewBrowser()
	if _, err := br.Get(app + "/login/idp"); err != nil {
		t.Fatal(err)
	}
	tok, _ := s.GetFor(context.Background(), "idp", "u1")
	if tok == nil || !strings.EqualFold(tok.TokenType, "DPoP") {
		t.Fatalf("after login: %+v, want a DPoP-bound token", tok)
	}
	if _, _ = br.Get(app + "/httpclient"); gotErr != nil || !strings.HasPrefix(got, "200") {
		t.Errorf("HTTPClient: %q, %v", got, gotErr)
	}
	if _, _ = br.Get(app + "/tokensource"); !errors.Is(gotErr, blueprint.ErrDPoPTokenSource) {
		t.Errorf("TokenSource: %v, want ErrDPoPTokenSource", gotErr)
	}
	cl, err := bp.ClientFor(context.Background(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	var me struct{ Login string }
	if err := cl.GetJSON("me", &me); err != nil || me.Login != "alice" {
		t.Errorf("ClientFor: %q, %v", me.Login, err)
	}

	// the provider revokes the access token early
	resp, err := http.PostForm(p.RevokeURL(), url.Values{"token": {tok.AccessToken},
		"client_id": {gintest.DefaultClientID}, "client_secret": {gintest.DefaultClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	before := p.Calls(gintest.EndpointRefresh)
	if _, _ = br.Get(app + "/httpclient"); gotErr != nil || !strings.HasPrefix(got, "200") {
		t.Errorf("HTTPClient after the access token was revoked: %q, %v; want 200 after a refresh", got, gotErr)
	}
	if n := p.Calls(gintest.EndpointRefresh) - before; n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
}
