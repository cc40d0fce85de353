// Command twitter is the smallest real app that signs in with Twitter
// (OAuth 1.0a) and greets the user by screen name. It is one file on
// purpose: copy it into a module of your own and it runs.
//
//	TWITTER_CLIENT_ID=<API key> TWITTER_CLIENT_SECRET=<API key secret> \
//	SESSION_HASH_KEY=$(openssl rand -hex 32) SESSION_BLOCK_KEY=$(openssl rand -hex 32) \
//	INSECURE_COOKIES=1 go run ./examples/twitter
//
// See README.md for the Twitter side.
package main

import (
	"encoding/hex"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/twitter"
)

func main() {
	// Everything that can be wrong with the configuration fails here, at
	// startup, with its cause: not at the first login.
	hashKey, err := hexKey("SESSION_HASH_KEY")
	if err != nil {
		log.Fatal(err)
	}
	blockKey, err := hexKey("SESSION_BLOCK_KEY")
	if err != nil {
		log.Fatal(err)
	}
	tw := twitter.New(twitter.Config{}) // TWITTER_CLIENT_ID / TWITTER_CLIENT_SECRET
	if err := tw.Validate(); err != nil {
		log.Fatal(err)
	}

	r := gin.Default()
	// The session cookie is signed (hash key) and encrypted (block key),
	// HttpOnly (no script reads it), SameSite=Lax (the provider's redirect
	// back is a top-level GET, which Lax allows; other sites' POSTs carry
	// no cookie) and Secure (HTTPS only) unless INSECURE_COOKIES=1, which
	// is for http://localhost during development only.
	store := cookie.NewStore(hashKey, blockKey)
	store.Options(sessions.Options{Path: "/", MaxAge: 7 * 24 * 3600, HttpOnly: true,
		Secure: os.Getenv("INSECURE_COOKIES") != "1", SameSite: http.SameSiteLaxMode})
	r.Use(sessions.Sessions("gindance", store))

	tw.Mount(r.Group("/login")) // GET /login/twitter, /login/twitter/authorized

	r.GET("/", tw.Require(), func(c *gin.Context) {
		id, err := tw.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "Twitter did not say who you are: %v", err)
			return
		}
		c.Header("Content-Type", "text/html; charset=utf-8")
		_ = home.Execute(c.Writer, id)
	})
	// Logout is a POST: with SameSite=Lax cookies no other site can log the
	// user out by linking here.
	r.POST("/logout", func(c *gin.Context) {
		// OAuth 1.0a has no revocation: the token is forgotten here.
		if err := tw.Logout(c); err != nil {
			c.String(http.StatusInternalServerError, "logout failed: %v", err)
			return
		}
		c.String(http.StatusOK, "Logged out.\n")
	})
	log.Fatal(r.Run(addr()))
}

var home = template.Must(template.New("home").Parse(`<!doctype html><meta charset="utf-8"><title>Hello</title>
<p>Hello @{{.Username}}.</p>
<form method="post" action="/logout"><button>Log out</button></form>
`))

// hexKey reads a 32-byte key from the environment variable name, written
// in hex as `openssl rand -hex 32` prints it.
func hexKey(name string) ([]byte, error) {
	k, err := hex.DecodeString(os.Getenv(name))
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("%s must be 32 random bytes in hex (64 characters): export %s=$(openssl rand -hex 32)", name, name)
	}
	return k, nil
}

// addr is where the app listens: $ADDR, or localhost:8000 (the host and
// port of the callback URL registered at Twitter).
func addr() string {
	if a := os.Getenv("ADDR"); a != "" {
		return a
	}
	return "localhost:8000"
}
