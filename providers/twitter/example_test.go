package twitter_test

import (
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/twitter"
)

func Example() {
	r := gin.Default()
	store := cookie.NewStore([]byte(os.Getenv("SESSION_HASH_KEY")), []byte(os.Getenv("SESSION_BLOCK_KEY")))
	store.Options(sessions.Options{Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	r.Use(sessions.Sessions("gindance", store))

	tw := twitter.New(twitter.Config{}) // TWITTER_CLIENT_ID / TWITTER_CLIENT_SECRET
	tw.Mount(r.Group("/login"))         // GET /login/twitter, /login/twitter/authorized
	r.GET("/", tw.Require(), func(c *gin.Context) {
		id, err := tw.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "Twitter: %v", err)
			return
		}
		c.String(http.StatusOK, "hello @%s", id.Username)
	})
	_ = r // r.Run(":8080")
}
