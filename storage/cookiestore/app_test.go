package cookiestore_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"
	"github.com/gorilla/securecookie"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/storage/cookiestore"
)

// loginApp is a gindance app with the token in the session (the default
// SessionStorage) on store: a login at /login/idp and an API call at /me.
func loginApp(t *testing.T, p *gintest.Provider, store sessions.Store) *httptest.Server {
	t.Helper()
	r := gin.New()
	r.Use(sessions.Sessions("app", store))
	idp := p.NewBlueprint("idp", func(cfg *blueprint.OAuth2Config) { cfg.RedirectTo = "/me" })
	idp.Mount(r.Group("/login"))
	r.GET("/me", idp.Require(), func(c *gin.Context) {
		id, err := idp.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "hello %s", id.Username)
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv
}

// login does the dance in a fresh browser and returns it with the session
// cookie the app set.
func login(t *testing.T, p *gintest.Provider, srv *httptest.Server) (*gintest.Browser, *http.Cookie) {
	t.Helper()
	b := gintest.NewBrowser()
	page, err := b.Get(srv.URL + "/login/idp")
	if err != nil {
		t.Fatal(err)
	}
	if page.URL.Path != "/me" || page.Body != "hello ada" {
		t.Fatalf("after login: %s %d %q", page.URL, page.StatusCode, page.Body)
	}
	for _, c := range b.Cookies(srv.URL) {
		if c.Name == "app" {
			return b, c
		}
	}
	t.Fatal("no session cookie after login")
	return nil, nil
}

// A login through the fake provider keeps the user logged in on later
// requests, each of which reads the token from the compact cookie and
// calls the provider's API with it.
func TestLoginStaysLoggedIn(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "42", Login: "ada"}})
	t.Cleanup(p.Close)
	srv := loginApp(t, p, cookiestore.NewStore(hashKey, blockKey))
	b, _ := login(t, p, srv)
	p.ResetCalls()
	for range 3 {
		page, err := b.NoFollow().Get(srv.URL + "/me")
		if err != nil {
			t.Fatal(err)
		}
		if page.StatusCode != http.StatusOK || page.Body != "hello ada" {
			t.Fatalf("a later request: %d %q", page.StatusCode, page.Body)
		}
	}
	if n := p.Calls(gintest.EndpointAPI); n != 3 {
		t.Errorf("%d API calls, want 3", n)
	}
	if n := p.Calls(gintest.EndpointToken); n != 0 {
		t.Errorf("%d token requests after the login, want 0", n)
	}
	// Without the cookie the same request is not logged in.
	if page, _ := gintest.NewBrowser().NoFollow().Get(srv.URL + "/me"); page.StatusCode != http.StatusFound {
		t.Errorf("a browser without the cookie got %d, want a redirect to login", page.StatusCode)
	}
}

// The session a login leaves makes a smaller cookie than gin-contrib's
// cookie store writes for it: gob's description of
// map[interface{}]interface{} and the type name before each value are gone.
func TestCookieSmallerThanGinContribStore(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "42", Login: "ada"}})
	t.Cleanup(p.Close)
	_, c := login(t, p, loginApp(t, p, cookie.NewStore(hashKey, blockKey)))
	var session map[interface{}]interface{}
	if err := (securecookie.GobEncoder{}).Deserialize(rawSession(t, c), &session); err != nil {
		t.Fatal(err)
	}
	encode := func(sz securecookie.Serializer) (raw, value int) {
		b, err := sz.Serialize(session)
		if err != nil {
			t.Fatal(err)
		}
		v, err := securecookie.New(hashKey, blockKey).SetSerializer(sz).Encode("app", session)
		if err != nil {
			t.Fatal(err)
		}
		return len(b), len(v)
	}
	gobRaw, gobValue := encode(securecookie.GobEncoder{})
	raw, value := encode(cookiestore.Serializer{})
	t.Logf("session after login (%d keys): %d bytes serialised, cookie value %d bytes with gob; %d and %d compact",
		len(session), gobRaw, gobValue, raw, value)
	if gobValue != len(c.Value) {
		t.Fatalf("re-encoding with gob gave %d bytes, the store wrote %d", gobValue, len(c.Value))
	}
	if gobRaw-raw != 37 {
		t.Errorf("serialised %d bytes, gob %d: saving %d, want 37", raw, gobRaw, gobRaw-raw)
	}
	// Two base64 layers (the ciphertext, then it with the timestamp and
	// MAC) make 37 bytes about 66.
	if d := gobValue - value; d < 64 {
		t.Errorf("cookie value %d bytes, gin-contrib's %d: saving %d, want at least 64", value, gobValue, d)
	}
	// And the compact store's own cookie after a login is that size.
	_, own := login(t, p, loginApp(t, p, cookiestore.NewStore(hashKey, blockKey)))
	if d := len(own.Value) - value; d < -4 || d > 4 {
		t.Errorf("the compact store's cookie is %d bytes, want about %d", len(own.Value), value)
	}
}
