package cookiestore_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"
	"github.com/gorilla/securecookie"

	"github.com/gindance/gindance/storage/cookiestore"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	m.Run()
}

var (
	hashKey  = []byte("cookiestore-test-hash-key-012345")
	blockKey = []byte("cookiestore-test-block-key-01234")
)

// sessionApp serves GET /set, which stores an app's usual values (and a
// flash, with ?flash=1), and GET /get, which prints them.
func sessionApp(store sessions.Store) *gin.Engine {
	r := gin.New()
	r.Use(sessions.Sessions("app", store))
	r.GET("/set", func(c *gin.Context) {
		s := sessions.Default(c)
		s.Set("user", "ada")
		s.Set("id", 42)
		s.Set("admin", true)
		if c.Query("flash") != "" {
			s.AddFlash("welcome")
		}
		if err := s.Save(); err != nil {
			c.String(http.StatusInternalServerError, "%v", err)
			return
		}
		c.Status(http.StatusNoContent)
	})
	r.GET("/get", func(c *gin.Context) {
		s := sessions.Default(c)
		c.String(http.StatusOK, "%#v %#v %#v %#v", s.Get("user"), s.Get("id"), s.Get("admin"), s.Flashes())
	})
	return r
}

// get serves path with the cookie and returns the response.
func get(h http.Handler, path string, c *http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if c != nil {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func sessionCookie(t *testing.T, w *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == "app" {
			return c
		}
	}
	t.Fatalf("no session cookie in %q", w.Header().Values("Set-Cookie"))
	return nil
}

// rawSession is the serialised session inside a cookie: verified and
// decrypted with the keys, not deserialised.
func rawSession(t *testing.T, c *http.Cookie) []byte {
	t.Helper()
	var raw []byte
	codec := securecookie.New(hashKey, blockKey).SetSerializer(securecookie.NopEncoder{})
	if err := codec.Decode(c.Name, c.Value, &raw); err != nil {
		t.Fatalf("decoding the cookie: %v", err)
	}
	return raw
}

// A session gin-contrib's cookie store wrote before the app switched reads
// in full with NewStore on the same keys, and the next save writes it in
// the compact format.
func TestReadsCookiesOfGinContribStore(t *testing.T) {
	for _, flash := range []string{"", "1"} {
		old := sessionCookie(t, get(sessionApp(cookie.NewStore(hashKey, blockKey)), "/set?flash="+flash, nil))
		if raw := rawSession(t, old); raw[0] == 0 {
			t.Fatalf("gin-contrib's store wrote %x: not gob", raw[:4])
		}
		app := sessionApp(cookiestore.NewStore(hashKey, blockKey))
		want := `"ada" 42 true []interface {}(nil)`
		if flash != "" {
			want = `"ada" 42 true []interface {}{"welcome"}`
		}
		if got := get(app, "/get", old).Body.String(); got != want {
			t.Errorf("flash=%q: NewStore read %s, want %s", flash, got, want)
		}
		raw := rawSession(t, sessionCookie(t, get(app, "/set", old)))
		if compact := raw[0] == 0; compact == (flash != "") {
			// A flash is a []interface{}, which only gob holds.
			t.Errorf("flash=%q: saved as %x, compact %v", flash, raw[:4], compact)
		}
	}
}

// Key pairs rotate as with cookie.NewStore: the first pair writes, later
// pairs still read.
func TestKeyRotation(t *testing.T) {
	newHash, newBlock := []byte("cookiestore-test-new-hash-key-01"), []byte("cookiestore-test-new-block-key-0")
	for name, store := range map[string]sessions.Store{
		"cookie.NewStore": cookie.NewStore(hashKey, blockKey),
		"NewStore":        cookiestore.NewStore(hashKey, blockKey),
	} {
		old := sessionCookie(t, get(sessionApp(store), "/set", nil))
		rotated := sessionApp(cookiestore.NewStore(newHash, newBlock, hashKey, blockKey))
		if got := get(rotated, "/get", old).Body.String(); got != `"ada" 42 true []interface {}(nil)` {
			t.Errorf("a cookie of %s under the old keys read as %s", name, got)
		}
		other := sessionApp(cookiestore.NewStore(newHash, newBlock))
		if got := get(other, "/get", old).Body.String(); got != "<nil> <nil> <nil> []interface {}(nil)" {
			t.Errorf("a cookie of %s read without its keys: %s", name, got)
		}
	}
}

// The cookie's attributes are cookie.NewStore's, by default and after
// Options.
func TestOptionsAsCookieStore(t *testing.T) {
	attrs := func(store sessions.Store) string {
		line := get(sessionApp(store), "/set", nil).Header().Get("Set-Cookie")
		_, rest, _ := strings.Cut(line, ";")
		return rest
	}
	if got, want := attrs(cookiestore.NewStore(hashKey)), attrs(cookie.NewStore(hashKey)); got != want {
		t.Errorf("default attributes %q, cookie.NewStore's %q", got, want)
	}
	opts := sessions.Options{Path: "/app", MaxAge: 3600, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}
	ours, theirs := cookiestore.NewStore(hashKey), cookie.NewStore(hashKey)
	ours.Options(opts)
	theirs.Options(opts)
	got, want := attrs(ours), attrs(theirs)
	if got != want || !strings.Contains(got, "HttpOnly") || !strings.Contains(got, "Max-Age=3600") {
		t.Errorf("attributes after Options %q, cookie.NewStore's %q", got, want)
	}
}

// A hash key alone signs without encrypting, as with cookie.NewStore.
func TestHashKeyOnly(t *testing.T) {
	app := sessionApp(cookiestore.NewStore(hashKey))
	c := sessionCookie(t, get(app, "/set", nil))
	if got := get(app, "/get", c).Body.String(); got != fmt.Sprintf("%#v %#v %#v %#v", "ada", 42, true, []interface{}(nil)) {
		t.Errorf("read back %s", got)
	}
}

// The switch is one way: gin-contrib's store (gob) reads a cookie this
// store wrote as an empty session, as docs/sessions.md's Limitations say.
func TestGinContribStoreCannotReadCompactCookies(t *testing.T) {
	c := sessionCookie(t, get(sessionApp(cookiestore.NewStore(hashKey, blockKey)), "/set", nil))
	old := sessionApp(cookie.NewStore(hashKey, blockKey))
	if got := get(old, "/get", c).Body.String(); got != "<nil> <nil> <nil> []interface {}(nil)" {
		t.Errorf("gin-contrib's store read a compact cookie as %s", got)
	}
}
