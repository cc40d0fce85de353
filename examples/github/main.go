// Command github is the smallest real app that logs in with GitHub and
// greets the user by login and primary verified email.
//
//	GITHUB_CLIENT_ID=... GITHUB_CLIENT_SECRET=... \
//	SESSION_HASH_KEY=$(openssl rand -hex 32) SESSION_BLOCK_KEY=$(openssl rand -hex 32) \
//	INSECURE_COOKIES=1 go run ./examples/github
//
// See README.md for the GitHub side.
package main

import (
	"log"
	"net/http"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/examples/internal/demo"
	"github.com/gindance/gindance/providers/github"
)

func main() {
	store, err := demo.SessionStore()
	if err != nil {
		log.Fatal(err)
	}
	r := gin.Default()
	r.Use(sessions.Sessions("gindance", store))

	gh := github.New(github.Config{Scopes: []string{"read:user", "user:email"}}) // GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET
	gh.Mount(r.Group("/login"))                                                  // GET /login/github, /login/github/authorized

	r.GET("/", gh.Require(), func(c *gin.Context) {
		id, err := gh.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "GitHub did not say who you are: %v", err)
			return
		}
		c.String(http.StatusOK, "Hello %s <%s>. GET /logout to log out.\n", id.Username, id.Email)
	})
	r.GET("/logout", func(c *gin.Context) {
		_ = gh.Logout(c)
		c.String(http.StatusOK, "Logged out.\n")
	})
	log.Fatal(r.Run(demo.Addr()))
}
