package blueprint

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
)

// Require returns middleware for routes that need a logged-in user. Without a
// usable token a browser GET is redirected to the login with ?next= set to
// the requested path, so the user comes back after login; an API call (Accept:
// application/json, or any method but GET and HEAD) gets 401 JSON instead.
// A storage or provider failure goes to OnError.
func (b *Blueprint) Require() gin.HandlerFunc {
	return func(c *gin.Context) {
		tok, err := b.Token(c)
		if err == nil && tok != nil {
			c.Next()
			return
		}
		if err != nil && !errors.Is(err, ErrNotAuthorized) {
			b.fail(c, err)
			return
		}
		login := b.loginPath
		if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead || wantsJSON(c) {
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "not_authorized", "login": login})
			return
		}
		if next, ok := SafeNext(c.Request.URL.RequestURI()); ok {
			login += "?next=" + url.QueryEscape(next)
		}
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusFound, login)
		c.Abort()
	}
}
