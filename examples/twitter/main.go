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
	"encoding/hex"
	"errors"
	"log"
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/twitter"
)

func main() {
	store, err := sessionStore()
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
	log.Fatal(r.Run(addr()))
}

// sessionStore is a cookie session store with keys from the environment:
// SESSION_HASH_KEY (authentication, 32 or 64 bytes) and SESSION_BLOCK_KEY
// (encryption, 32 bytes), both hex; generate each with
// `openssl rand -hex 32`. Cookies are HttpOnly, SameSite=Lax and Secure;
// set INSECURE_COOKIES=1 only for http://localhost during development.
func sessionStore() (sessions.Store, error) {
	hashKey, err := hex.DecodeString(os.Getenv("SESSION_HASH_KEY"))
	if err != nil || (len(hashKey) != 32 && len(hashKey) != 64) {
		return nil, errors.New("SESSION_HASH_KEY must be 32 or 64 random bytes, hex-encoded (openssl rand -hex 32)")
	}
	blockKey, err := hex.DecodeString(os.Getenv("SESSION_BLOCK_KEY"))
	if err != nil || len(blockKey) != 32 {
		return nil, errors.New("SESSION_BLOCK_KEY must be 32 random bytes, hex-encoded (openssl rand -hex 32)")
	}
	store := cookie.NewStore(hashKey, blockKey)
	store.Options(sessions.Options{Path: "/", MaxAge: 7 * 24 * 3600, HttpOnly: true,
		Secure: os.Getenv("INSECURE_COOKIES") != "1", SameSite: http.SameSiteLaxMode})
	return store, nil
}

func addr() string {
	if a := os.Getenv("ADDR"); a != "" {
		return a
	}
	return "localhost:8000"
}
