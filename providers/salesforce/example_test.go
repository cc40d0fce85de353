package salesforce_test

import (
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/salesforce"
)

func Example() {
	r := gin.Default()
	store := cookie.NewStore([]byte(os.Getenv("SESSION_HASH_KEY")), []byte(os.Getenv("SESSION_BLOCK_KEY")))
	store.Options(sessions.Options{Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	r.Use(sessions.Sessions("gindance", store))

	sf := salesforce.New(salesforce.Config{MyDomain: "acme", Offline: true}) // SALESFORCE_CLIENT_ID / SALESFORCE_CLIENT_SECRET
	sf.Mount(r.Group("/login"))                                              // GET /login/salesforce, /login/salesforce/authorized
	r.GET("/", sf.Require(), func(c *gin.Context) {
		id, err := sf.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "hello %s", id.Username)
	})
	_ = r // r.Run(":8080")
}
