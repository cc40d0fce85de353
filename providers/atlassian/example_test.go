package atlassian_test

import (
	"encoding/hex"
	"log"
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/atlassian"
)

// A Jira call addressed by the cloud ID of the first site the user
// granted.
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

	at := atlassian.New(atlassian.Config{Scopes: []string{"read:me", "offline_access", "read:jira-work"}}) // ATLASSIAN_CLIENT_ID / _SECRET
	at.Mount(r.Group("/login"))
	r.GET("/", at.Require(), func(c *gin.Context) {
		sites, err := atlassian.AccessibleResources(at.Client(c))
		if err != nil || len(sites) == 0 {
			c.String(http.StatusBadGateway, "no Atlassian site: %v", err)
			return
		}
		var projects []struct{ Key, Name string }
		if err := at.Client(c).GetJSON("ex/jira/"+sites[0].ID+"/rest/api/3/project", &projects); err != nil {
			c.String(http.StatusBadGateway, "Jira: %v", err)
			return
		}
		c.JSON(http.StatusOK, projects)
	})
	_ = r // r.Run(":8080")
}
