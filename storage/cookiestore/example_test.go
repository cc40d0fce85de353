package cookiestore_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
	"github.com/gorilla/securecookie"
	gsessions "github.com/gorilla/sessions"

	"github.com/gindance/gindance/storage/cookiestore"
)

// An app's cookie session on the compact store: the same keys and options
// as with gin-contrib's cookie.NewStore. Keys come from the environment in
// a real app (32 random bytes each, hex: openssl rand -hex 32); both are
// given, so the cookie is signed and encrypted. HttpOnly keeps it from
// scripts, SameSite=Lax lets the provider's top-level redirect back carry
// it, and Secure keeps it to HTTPS. The one-line form is
// r.Use(sessions.Sessions("gindance", cookiestore.NewStore(hashKey, blockKey)))
// with gorilla's defaults (Secure, but SameSite=None and not HttpOnly).
func ExampleNewStore() {
	gin.SetMode(gin.TestMode)
	hashKey := []byte("0123456789abcdef0123456789abcdef")
	blockKey := []byte("fedcba9876543210fedcba9876543210")

	store := cookiestore.NewStore(hashKey, blockKey)
	store.Options(sessions.Options{Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	r := gin.New()
	r.Use(sessions.Sessions("gindance", store))
	r.GET("/visit", func(c *gin.Context) {
		s := sessions.Default(c)
		n, _ := s.Get("visits").(int)
		s.Set("visits", n+1)
		_ = s.Save()
		c.String(http.StatusOK, "visit %d", n+1)
	})

	var cookie *http.Cookie
	for range 3 {
		req := httptest.NewRequest(http.MethodGet, "/visit", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		cookie = w.Result().Cookies()[0]
		fmt.Println(w.Body.String())
	}
	_, attrs, _ := strings.Cut(cookie.String(), "; ")
	fmt.Println(attrs)
	// Output:
	// visit 1
	// visit 2
	// visit 3
	// Path=/; HttpOnly; Secure; SameSite=Lax
}

// Serializer on a gorilla store the app builds itself: every codec gets
// it, as NewStore does.
func ExampleSerializer() {
	cs := gsessions.NewCookieStore([]byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210"))
	for _, codec := range cs.Codecs {
		codec.(*securecookie.SecureCookie).SetSerializer(cookiestore.Serializer{})
	}
	cs.Options.SameSite = http.SameSiteLaxMode
	cs.Options.HttpOnly = true

	b, _ := cookiestore.Serializer{}.Serialize(map[interface{}]interface{}{"user_id": 42})
	fmt.Printf("%d bytes: % x\n", len(b), b)
	// Output:
	// 13 bytes: 00 01 01 07 75 73 65 72 5f 69 64 69 54
}
