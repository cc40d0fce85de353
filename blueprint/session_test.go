package blueprint_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

// A token too big for a cookie session is refused with a clear error and the
// session keeps what it had: no silently dropped cookie, nothing half-saved.
func TestSessionStorageRefusesTokenLargerThanCookie(t *testing.T) {
	st := blueprint.SessionStorage{}
	r := newEngine()
	small := &blueprint.Token{AccessToken: "small"}
	big := &blueprint.Token{AccessToken: "big", IDToken: strings.Repeat("e", 5000)}
	var setErr error
	r.GET("/small", func(c *gin.Context) { _ = st.Set(c, "p", small) })
	r.GET("/big", func(c *gin.Context) { setErr = st.Set(c, "p", big) })
	r.GET("/get", func(c *gin.Context) {
		tok, err := st.Get(c, "p")
		if err != nil || tok == nil {
			c.String(500, "err %v tok %v", err, tok)
			return
		}
		c.String(200, tok.AccessToken)
	})
	jar := mergeCookies(nil, serve(r, "GET", "/small", nil))
	w := serve(r, "GET", "/big", jar)
	if !errors.Is(setErr, blueprint.ErrTokenTooLarge) {
		t.Fatalf("Set(big) = %v; want ErrTokenTooLarge", setErr)
	}
	mustContain(t, setErr.Error(), "redisstore")
	if sc := w.Header().Values("Set-Cookie"); len(sc) != 0 {
		t.Fatalf("a cookie was set after the failure: %d bytes", len(sc[0]))
	}
	if got := serve(r, "GET", "/get", jar).Body.String(); got != "small" {
		t.Fatalf("after the failed Set the session holds %q; want the old token", got)
	}
}

// Near the limit the encoded value fits securecookie's own check but the
// Set-Cookie line with its attributes does not: also refused.
func TestSessionStorageChecksWholeSetCookieLine(t *testing.T) {
	st := blueprint.SessionStorage{}
	for n := 2080; n <= 2220; n++ { // around the boundary for this key and cookie name
		r := newEngine()
		var setErr error
		r.GET("/", func(c *gin.Context) {
			setErr = st.Set(c, "p", &blueprint.Token{AccessToken: strings.Repeat("a", n)})
		})
		w := serve(r, "GET", "/", nil)
		for _, line := range w.Header().Values("Set-Cookie") {
			if len(line) > 4096 {
				t.Fatalf("n=%d: a %d-byte Set-Cookie was sent (err %v)", n, len(line), setErr)
			}
		}
		if setErr != nil && !errors.Is(setErr, blueprint.ErrTokenTooLarge) {
			t.Fatalf("n=%d: err = %v; want ErrTokenTooLarge", n, setErr)
		}
		if setErr == nil && len(w.Header().Values("Set-Cookie")) != 1 {
			t.Fatalf("n=%d: Set succeeded without exactly one cookie", n)
		}
	}
}

func TestSessionStorageRoundTripAndDelete(t *testing.T) {
	st := blueprint.SessionStorage{}
	r := newEngine()
	tok := &blueprint.Token{AccessToken: "a", RefreshToken: "r", Scopes: []string{"x"}, Extra: map[string]any{"k": "v"}}
	r.GET("/set", func(c *gin.Context) { _ = st.Set(c, "p", tok) })
	r.GET("/del", func(c *gin.Context) { _ = st.Delete(c, "p") })
	r.GET("/get", func(c *gin.Context) {
		got, err := st.Get(c, "p")
		switch {
		case err != nil:
			c.String(500, err.Error())
		case got == nil:
			c.String(200, "none")
		default:
			c.String(200, got.AccessToken+got.RefreshToken+got.Scopes[0]+got.Extra["k"].(string))
		}
	})
	jar := mergeCookies(nil, serve(r, "GET", "/set", nil))
	if got := serve(r, "GET", "/get", jar).Body.String(); got != "arxv" {
		t.Fatalf("got %q", got)
	}
	jar = mergeCookies(jar, serve(r, "GET", "/del", jar))
	if got := serve(r, "GET", "/get", jar).Body.String(); got != "none" {
		t.Fatalf("after Delete got %q", got)
	}
}
