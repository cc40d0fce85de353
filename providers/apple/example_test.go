package apple_test

import (
	"encoding/hex"
	"log"
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/apple"
)

// Sign in with Apple, keeping the name Apple posts only at the first login.
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

	a := apple.New(apple.Config{}) // APPLE_CLIENT_ID, APPLE_TEAM_ID, APPLE_KEY_ID, APPLE_PRIVATE_KEY
	a.OnLogin(func(c *gin.Context, tok *blueprint.Token) error {
		if u, ok := apple.UserOf(tok); ok {
			_ = u.FirstName + " " + u.LastName // first login only: save it with the user
		}
		return nil
	})
	a.Mount(r.Group("/login")) // GET /login/apple, GET and POST /login/apple/authorized
	r.GET("/", a.Require(), func(c *gin.Context) {
		id, err := a.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "hello %s (private relay: %v)", id.Email, apple.PrivateEmail(id))
	})
	_ = r // r.Run(":8080")
}
