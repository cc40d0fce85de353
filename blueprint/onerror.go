package blueprint

import (
	"context"
	"log/slog"
	"strings"

	"github.com/gin-gonic/gin"
)

// fail ends a request of the flow with err: the OnError hooks, in order
// until one writes a response or aborts, then the default handler if none
// wrote one.
func (b *Blueprint) fail(c *gin.Context, err error) {
	for _, fn := range b.onError {
		fn(c, err)
		if c.Writer.Written() || c.IsAborted() {
			break
		}
	}
	if !c.Writer.Written() {
		b.defaultError(c, err)
	}
	c.Abort()
}

// defaultError logs err and answers with the default error page, which
// offers to start the login again.
func (b *Blueprint) defaultError(c *gin.Context, err error) {
	logger := b.set.log()
	status := StatusCode(err)
	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
	}
	logger.LogAttrs(context.WithoutCancel(c.Request.Context()), level, "gindance: login flow failed",
		slog.String("provider", b.name), slog.String("path", c.Request.URL.Path),
		slog.Int("status", status), slog.String("error", err.Error()))
	answerError(c, err, b.loginPath)
}

// DefaultErrorHandler answers a failed login with a sentence the user
// understands for each kind of failure (they declined at the provider, the
// login expired or its link was used, the provider failed, the server
// failed): JSON ({"error": code, "message": sentence}) when the client asks
// for JSON, otherwise a small styled HTML page with a way back, under a
// Content-Security-Policy that allows its one inline stylesheet and nothing
// else. The status comes from StatusCode. The page and the JSON carry no
// detail of the error (the provider's error_description, a driver's
// message): that goes to the log. An OnError hook that writes a response
// replaces it.
func DefaultErrorHandler(c *gin.Context, err error) {
	answerError(c, err, "")
}

// answerError is DefaultErrorHandler with a login path to offer ("" for
// none).
func answerError(c *gin.Context, err error, retry string) {
	status := StatusCode(err)
	ec := classify(err, status)
	if wantsJSON(c) {
		c.AbortWithStatusJSON(status, gin.H{"error": ec.code, "message": ec.sentence})
		return
	}
	c.Abort()
	writeErrorPage(c.Writer, status, ec, retry)
}

// wantsJSON reports whether the client prefers JSON over HTML.
func wantsJSON(c *gin.Context) bool {
	accept := c.GetHeader("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}
