package github_test

import (
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/github"
)

func Example() {
	r := gin.Default()
	store := cookie.NewStore([]byte(os.Getenv("SESSION_HASH_KEY")), []byte(os.Getenv("SESSION_BLOCK_KEY")))
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
