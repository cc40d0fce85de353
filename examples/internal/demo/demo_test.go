package demo

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
)

func TestSessionStoreRefusesMissingOrShortKeys(t *testing.T) {
	for _, keys := range [][2]string{{"", ""}, {"00", strings.Repeat("00", 32)}, {strings.Repeat("00", 32), "zz"}} {
		t.Setenv("SESSION_HASH_KEY", keys[0])
		t.Setenv("SESSION_BLOCK_KEY", keys[1])
		if _, err := SessionStore(); err == nil {
			t.Fatalf("keys %q accepted", keys)
		}
	}
}

// The cookie it sets is HttpOnly, SameSite=Lax and Secure unless
// INSECURE_COOKIES=1.
func TestSessionStoreCookieFlags(t *testing.T) {
	t.Setenv("SESSION_HASH_KEY", strings.Repeat("ab", 32))
	t.Setenv("SESSION_BLOCK_KEY", strings.Repeat("cd", 32))
	for _, insecure := range []string{"", "1"} {
		t.Setenv("INSECURE_COOKIES", insecure)
		store, err := SessionStore()
		if err != nil {
			t.Fatal(err)
		}
		gin.SetMode(gin.TestMode)
		r := gin.New()
		r.Use(sessions.Sessions("s", store))
		r.GET("/", func(c *gin.Context) {
			s := sessions.Default(c)
			s.Set("k", "v")
			_ = s.Save()
		})
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		line := w.Header().Get("Set-Cookie")
		if !strings.Contains(line, "HttpOnly") || !strings.Contains(line, "SameSite=Lax") ||
			strings.Contains(line, "Secure") != (insecure == "") {
			t.Fatalf("INSECURE_COOKIES=%q: %s", insecure, line)
		}
	}

}
