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
	"encoding/hex"
	"errors"
	"log"
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/github"
)

func main() {
	store, err := sessionStore()
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
