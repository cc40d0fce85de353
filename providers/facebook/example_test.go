package facebook_test

import (
	"encoding/hex"
	"log"
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/facebook"
)

// A Graph API call through the blueprint's Client: appsecret_proof is
// added for you, so "Require App Secret" can be on.
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

	fb := facebook.New(facebook.Config{}) // FACEBOOK_CLIENT_ID / FACEBOOK_CLIENT_SECRET
	fb.Mount(r.Group("/login"))           // GET /login/facebook, /login/facebook/authorized
	r.GET("/", fb.Require(), func(c *gin.Context) {
		var likes struct {
			Data []struct{ Name string } `json:"data"`
		}
		if err := fb.Client(c).GetJSON("me/likes", &likes); err != nil {
			c.String(http.StatusBadGateway, "Facebook: %v", err)
			return
		}
		c.JSON(http.StatusOK, likes.Data)
	})
	_ = r // r.Run(":8080")
}
