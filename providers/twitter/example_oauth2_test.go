package twitter_test

import (
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/twitter"
)

// X over OAuth 2.0: the identity of users/me, and a refresh token through
// offline.access (in the default scopes).
func ExampleNewOAuth2() {
	r := gin.Default()
	store := cookie.NewStore([]byte(os.Getenv("SESSION_HASH_KEY")), []byte(os.Getenv("SESSION_BLOCK_KEY")))
	store.Options(sessions.Options{Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	r.Use(sessions.Sessions("gindance", store))

	x := twitter.NewOAuth2(twitter.OAuth2Config{}) // TWITTER_OAUTH2_CLIENT_ID / TWITTER_OAUTH2_CLIENT_SECRET
	x.Mount(r.Group("/login"))                     // GET /login/twitter, /login/twitter/authorized
	r.GET("/", x.Require(), func(c *gin.Context) {
		id, err := x.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "X: %v", err)
			return
		}
		c.String(http.StatusOK, "hello @%s", id.Username)
	})
	_ = r // r.Run(":8080")
}
