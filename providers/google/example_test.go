package google_test

import (
	"encoding/hex"
	"log"
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/google"
)

func Example() {
	r := gin.Default()
	// Session keys: 32 random bytes each, hex in the environment (openssl rand -hex 32).
	hashKey, err := hex.DecodeString(os.Getenv("SESSION_HASH_KEY"))
	if err != nil || len(hashKey) != 32 {
		log.Fatal("SESSION_HASH_KEY: want 32 bytes in hex (openssl rand -hex 32)")
	}
	blockKey, err := hex.DecodeString(os.Getenv("SESSION_BLOCK_KEY"))
	if err != nil || len(blockKey) != 32 {
		log.Fatal("SESSION_BLOCK_KEY: want 32 bytes in hex (openssl rand -hex 32)")
	}
	store := cookie.NewStore(hashKey, blockKey)
	store.Options(sessions.Options{Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	r.Use(sessions.Sessions("gindance", store))

	g := google.New(google.Config{SelectAccount: true}) // GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET
	g.Mount(r.Group("/login"))                          // GET /login/google, /login/google/authorized
	r.GET("/", g.Require(), func(c *gin.Context) {
		claims, err := g.Claims(c)
		if err != nil {
			c.String(http.StatusUnauthorized, "%v", err)
			return
		}
		c.String(http.StatusOK, "hello %v", claims["email"])
	})
	_ = r // r.Run(":8080")
}
