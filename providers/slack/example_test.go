package slack_test

import (
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/slack"
)

func Example() {
	r := gin.Default()
	store := cookie.NewStore([]byte(os.Getenv("SESSION_HASH_KEY")), []byte(os.Getenv("SESSION_BLOCK_KEY")))
	store.Options(sessions.Options{Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	r.Use(sessions.Sessions("gindance", store))

	sl := slack.New(slack.Config{Team: "T0123456"}) // SLACK_CLIENT_ID / SLACK_CLIENT_SECRET
	sl.Mount(r.Group("/login"))                     // GET /login/slack, /login/slack/authorized
	r.GET("/", sl.Require(), func(c *gin.Context) {
		id, err := sl.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "hello %s", id.Username)
	})
	_ = r // r.Run(":8080")
}
