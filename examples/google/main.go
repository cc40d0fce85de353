// Command google is the smallest real app that logs in with Google
// (OpenID Connect, id_token verified) and shows the verified claims. It is
// one file on purpose: copy it into a module of your own and it runs.
//
//	GOOGLE_CLIENT_ID=... GOOGLE_CLIENT_SECRET=... \
//	SESSION_HASH_KEY=$(openssl rand -hex 32) SESSION_BLOCK_KEY=$(openssl rand -hex 32) \
//	INSECURE_COOKIES=1 go run ./examples/google
//
// Set GOOGLE_HOSTED_DOMAIN to admit only accounts of one Google Workspace
// domain. See README.md for the Google side.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/google"
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
	g := google.New(google.Config{ // GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET
		SelectAccount: true,
		HostedDomain:  os.Getenv("GOOGLE_HOSTED_DOMAIN"), // enforced on the verified hd claim
	})
	// Discover checks the configuration and fetches Google's discovery
	// document now: a missing credential or an unreachable issuer stops
	// the app here.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := g.Discover(ctx); err != nil {
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

	g.Mount(r.Group("/login")) // GET /login/google, /login/google/authorized

	r.GET("/", g.Require(), func(c *gin.Context) {
		claims, err := g.Claims(c) // the verified id_token's claims
		if err != nil {
			c.String(http.StatusUnauthorized, "%v", err)
			return
		}
		c.Header("Content-Type", "text/html; charset=utf-8")
		_ = home.Execute(c.Writer, claims)
	})
	// Logout is a POST: with SameSite=Lax cookies no other site can log the
	// user out by linking here.
	r.POST("/logout", func(c *gin.Context) {
		// Forgets the token and revokes it at Google; a failed revocation
		// (ErrRevoke) still logs out here.
		if err := g.Logout(c); err != nil && !errors.Is(err, blueprint.ErrRevoke) {
			c.String(http.StatusInternalServerError, "logout failed: %v", err)
			return
		}
		c.String(http.StatusOK, "Logged out.\n")
	})
	log.Fatal(r.Run(addr()))
}

var home = template.Must(template.New("home").Parse(`<!doctype html><meta charset="utf-8"><title>Hello</title>
<p>Hello {{.name}} &lt;{{.email}}&gt; (sub {{.sub}}).</p>
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
// port of the redirect URI registered at Google).
func addr() string {
	if a := os.Getenv("ADDR"); a != "" {
		return a
	}
	return "localhost:8000"
}
