package github_test

import (
	"encoding/hex"
	"log"
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/github"
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

	gh := github.New(github.Config{Scopes: []string{"user:email"}}) // GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET
	gh.Mount(r.Group("/login"))                                     // GET /login/github, /login/github/authorized
	r.GET("/", gh.Require(), func(c *gin.Context) {
		id, err := gh.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "GitHub: %v", err)
			return
		}
		c.String(http.StatusOK, "hello %s <%s>", id.Username, id.Email)
	})
	_ = r // r.Run(":8080")
}
