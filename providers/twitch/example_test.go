package twitch_test

import (
	"encoding/hex"
	"log"
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/twitch"
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

	tw := twitch.New(twitch.Config{}) // TWITCH_CLIENT_ID / TWITCH_CLIENT_SECRET
	tw.Mount(r.Group("/login"))       // GET /login/twitch, /login/twitch/authorized
	r.GET("/", tw.Require(), func(c *gin.Context) {
		id, err := tw.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "hello %s", id.Username)
	})
	_ = r // r.Run(":8080")
}
