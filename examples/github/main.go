// Command github is the smallest real app that logs in with GitHub and
// greets the user by login and primary verified email, then calls the
// GitHub API through go-github with the user's token. It is one file on
// purpose: copy it into a module of your own and it runs.
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
	"fmt"
	"html/template"
	"log"
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"
	gogithub "github.com/google/go-github/v84/github"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/github"
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
	gh := github.New(github.Config{Scopes: []string{"read:user", "user:email"}}) // GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET
	if err := gh.Validate(); err != nil {
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

	gh.Mount(r.Group("/login")) // GET /login/github, /login/github/authorized

	r.GET("/", gh.Require(), func(c *gin.Context) {
		id, err := gh.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "GitHub did not say who you are: %v", err)
			return
		}
		c.Header("Content-Type", "text/html; charset=utf-8")
		_ = home.Execute(c.Writer, id)
	})
	// go-github takes an *http.Client: the blueprint's carries the user's
	// token, refreshes it once however many calls race, retries a 401
	// invalid_token once after a refresh, and sends it nowhere but GitHub's
	// API.
	r.GET("/repos", gh.Require(), func(c *gin.Context) {
		client := GitHubFor(c, gh, "")
		repos, _, err := client.Repositories.ListByAuthenticatedUser(c, &gogithub.RepositoryListByAuthenticatedUserOptions{Sort: "updated"})
		if err != nil {
			c.String(http.StatusBadGateway, "GitHub: %v", err)
			return
		}
		for _, repo := range repos {
			fmt.Fprintln(c.Writer, repo.GetFullName())
		}
	})
	// Logout is a POST: with SameSite=Lax cookies no other site can log the
	// user out by linking here.
	r.POST("/logout", func(c *gin.Context) {
		// GitHub has no RFC 7009 revocation endpoint: the token is forgotten
		// here and stays valid at GitHub until the user revokes the app.
		if err := gh.Logout(c); err != nil && !errors.Is(err, blueprint.ErrRevoke) {
			c.String(http.StatusInternalServerError, "logout failed: %v", err)
			return
		}
		c.String(http.StatusOK, "Logged out.\n")
	})
	log.Fatal(r.Run(addr()))
}

// GitHubFor returns a go-github client calling the API as the request's
// user, through the blueprint's HTTPClient; apiBase "" is GitHub's own API,
// another is a GitHub Enterprise or test server (which must be the
// blueprint's APIBaseURL or one of its AllowedHosts).
func GitHubFor(c *gin.Context, gh *blueprint.Blueprint, apiBase string) *gogithub.Client {
	client := gogithub.NewClient(gh.Client(c).HTTPClient())
	if apiBase != "" {
		u, err := client.BaseURL.Parse(apiBase)
		if err == nil {
			client.BaseURL = u
		}
	}
	return client
}

var home = template.Must(template.New("home").Parse(`<!doctype html><meta charset="utf-8"><title>Hello</title>
<p>Hello {{.Username}} &lt;{{.Email}}&gt;. <a href="/repos">Your repositories</a></p>
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
// port of the callback URL registered at GitHub).
func addr() string {
	if a := os.Getenv("ADDR"); a != "" {
		return a
	}
	return "localhost:8000"
}
