package gitlab_test

import (
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/gitlab"
)

func Example() {
	r := gin.Default()
	store := cookie.NewStore([]byte(os.Getenv("SESSION_HASH_KEY")), []byte(os.Getenv("SESSION_BLOCK_KEY")))
	store.Options(sessions.Options{Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	r.Use(sessions.Sessions("gindance", store))

	gl := gitlab.New(gitlab.Config{}) // GITLAB_CLIENT_ID / GITLAB_CLIENT_SECRET; Host for self-managed
	gl.Mount(r.Group("/login"))       // GET /login/gitlab, /login/gitlab/authorized
	r.GET("/", gl.Require(), func(c *gin.Context) {
		id, err := gl.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "hello %s", id.Username)
	})
	_ = r // r.Run(":8080")
}
