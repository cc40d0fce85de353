package authentik_test

import (
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/authentik"
)

func Example() {
	r := gin.Default()
	store := cookie.NewStore([]byte(os.Getenv("SESSION_HASH_KEY")), []byte(os.Getenv("SESSION_BLOCK_KEY")))
	store.Options(sessions.Options{Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	r.Use(sessions.Sessions("gindance", store))

	a := authentik.New(authentik.Config{BaseURL: "https://auth.example.com", Slug: "my-app"}) // AUTHENTIK_CLIENT_ID / AUTHENTIK_CLIENT_SECRET
	a.Mount(r.Group("/login"))                                                                // GET /login/authentik, /login/authentik/authorized
	r.GET("/", a.Require(), func(c *gin.Context) {
		id, err := a.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "hello %s", id.Username)
	})
	_ = r // r.Run(":8080")
}
