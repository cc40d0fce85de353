// Command twitter is the smallest real app that signs in with Twitter
// (OAuth 1.0a) and greets the user by screen name.
//
//	TWITTER_CLIENT_ID=<API key> TWITTER_CLIENT_SECRET=<API key secret> \
//	SESSION_HASH_KEY=$(openssl rand -hex 32) SESSION_BLOCK_KEY=$(openssl rand -hex 32) \
//	INSECURE_COOKIES=1 go run ./examples/twitter
//
// See README.md for the Twitter side.
package main

import (
	"log"
	"net/http"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/examples/internal/demo"
	"github.com/gindance/gindance/providers/twitter"
)

func main() {
	store, err := demo.SessionStore()
	if err != nil {
		log.Fatal(err)
	}
	r := gin.Default()
	r.Use(sessions.Sessions("gindance", store))

	tw := twitter.New(twitter.Config{}) // TWITTER_CLIENT_ID / TWITTER_CLIENT_SECRET
	tw.Mount(r.Group("/login"))         // GET /login/twitter, /login/twitter/authorized

	r.GET("/", tw.Require(), func(c *gin.Context) {
		id, err := tw.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "Twitter did not say who you are: %v", err)
			return
		}
		c.String(http.StatusOK, "Hello @%s. GET /logout to log out.\n", id.Username)
	})
	r.GET("/logout", func(c *gin.Context) {
		_ = tw.Logout(c)
		c.String(http.StatusOK, "Logged out.\n")
	})
	log.Fatal(r.Run(demo.Addr()))
}
