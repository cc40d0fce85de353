package strava_test

import (
	"encoding/hex"
	"log"
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/strava"
)

// The athlete's identity comes with the token; activities need
// activity:read.
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

	st := strava.New(strava.Config{Scopes: []string{"read", "activity:read"}}) // STRAVA_CLIENT_ID / STRAVA_CLIENT_SECRET
	st.Mount(r.Group("/login"))
	r.GET("/", st.Require(), func(c *gin.Context) {
		id, err := st.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "Strava: %v", err)
			return
		}
		var acts []struct{ Name string }
		if err := st.Client(c).GetJSON("athlete/activities?per_page=5", &acts); err != nil {
			c.String(http.StatusBadGateway, "Strava: %v", err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"athlete": id.Name, "recent": acts})
	})
	_ = r // r.Run(":8080")
}
