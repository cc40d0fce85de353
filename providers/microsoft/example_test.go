package microsoft_test

import (
	"encoding/hex"
	"log"
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/microsoft"
)

// A multi-tenant app open to the work accounts of two customer tenants.
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

	ms := microsoft.New(microsoft.Config{ // MICROSOFT_CLIENT_ID / MICROSOFT_CLIENT_SECRET
		Tenant:  microsoft.Organizations,
		Tenants: []string{"aaaaaaaa-0000-4000-8000-00000000000a", "bbbbbbbb-0000-4000-8000-00000000000b"},
	})
	ms.Mount(r.Group("/login")) // GET /login/microsoft, /login/microsoft/authorized
	r.GET("/", ms.Require(), func(c *gin.Context) {
		id, err := ms.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "hello %s of tenant %v", id.Name, id.Raw["tid"])
	})
	_ = r // r.Run(":8080")
}
