// Command google is the smallest real app that logs in with Google
// (OpenID Connect, id_token verified) and shows the verified claims.
//
//	GOOGLE_CLIENT_ID=... GOOGLE_CLIENT_SECRET=... \
//	SESSION_HASH_KEY=$(openssl rand -hex 32) SESSION_BLOCK_KEY=$(openssl rand -hex 32) \
//	INSECURE_COOKIES=1 go run ./examples/google
//
// Set GOOGLE_HOSTED_DOMAIN to admit only accounts of one Google Workspace
// domain. See README.md for the Google side.
package main

import (
	"log"
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/examples/internal/demo"
	"github.com/gindance/gindance/providers/google"
	"github.com/gindance/gindance/providers/oidc"
)

func main() {
	store, err := demo.SessionStore()
	if err != nil {
		log.Fatal(err)
	}
	r := gin.Default()
	r.Use(sessions.Sessions("gindance", store))

	g := google.New(google.Config{ // GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET
		SelectAccount: true,
		HostedDomain:  os.Getenv("GOOGLE_HOSTED_DOMAIN"), // enforced on the verified hd claim
	})
	g.Mount(r.Group("/login")) // GET /login/google, /login/google/authorized

	r.GET("/", g.Require(), func(c *gin.Context) {
		claims, err := oidc.Claims(c, g)
		if err != nil {
			c.String(http.StatusUnauthorized, "%v", err)
			return
		}
		c.String(http.StatusOK, "Hello %v <%v> (sub %v). GET /logout to log out.\n", claims["name"], claims["email"], claims["sub"])
	})
	r.GET("/logout", func(c *gin.Context) {
		_ = g.Logout(c) // forgets the token and revokes it at Google
		c.String(http.StatusOK, "Logged out.\n")
	})
	log.Fatal(r.Run(demo.Addr()))
}
