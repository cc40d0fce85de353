package keycloak_test

import (
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/keycloak"
)

func Example() {
	r := gin.Default()
	store := cookie.NewStore([]byte(os.Getenv("SESSION_HASH_KEY")), []byte(os.Getenv("SESSION_BLOCK_KEY")))
	store.Options(sessions.Options{Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	r.Use(sessions.Sessions("gindance", store))

	kc := keycloak.New(keycloak.Config{BaseURL: "https://sso.example.com", Realm: "acme"}) // KEYCLOAK_CLIENT_ID / KEYCLOAK_CLIENT_SECRET
	kc.Mount(r.Group("/login"))                                                            // GET /login/keycloak, /login/keycloak/authorized
	r.GET("/", kc.Require(), func(c *gin.Context) {
		id, err := kc.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "hello %s", id.Username)
	})
	_ = r // r.Run(":8080")
}
