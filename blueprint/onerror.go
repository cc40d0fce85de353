package blueprint

import (
	"context"
	"errors"
	"html"
	"log/slog"
	"net/http"
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

// defaultError logs err and answers with DefaultErrorHandler.
func (b *Blueprint) defaultError(c *gin.Context, err error) {
	logger := b.set.logger
	if logger == nil {
		logger = slog.Default()
	}
	status := StatusCode(err)
	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
	}
	logger.LogAttrs(context.WithoutCancel(c.Request.Context()), level, "gindance: login flow failed",
		slog.String("provider", b.name), slog.String("path", c.Request.URL.Path),
		slog.Int("status", status), slog.String("error", err.Error()))
	DefaultErrorHandler(c, err)
}

// DefaultErrorHandler answers a failed login with a short message: JSON
// ({"error": ..., "message": ...}) when the client asks for JSON, otherwise a
// small HTML page, everything echoed escaped. The status comes from
// StatusCode. Details of server-side failures stay in the log, not the page.
func DefaultErrorHandler(c *gin.Context, err error) {
	status := StatusCode(err)
	code, msg := publicMessage(err, status)
	if wantsJSON(c) {
		c.AbortWithStatusJSON(status, gin.H{"error": code, "message": msg})
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("X-Content-Type-Options", "nosniff")
	c.AbortWithStatus(status)
	_, _ = c.Writer.WriteString("<!doctype html><meta charset=utf-8><title>Login failed</title>" +
		"<h1>Login failed</h1><p>" + html.EscapeString(msg) + "</p><p><a href=\"/\">Back to the start page</a></p>\n")
}

func publicMessage(err error, status int) (code, msg string) {
	var ae *AuthError
	switch {
	case errors.As(err, &ae):
		return ae.Code, err.Error()
	case errors.Is(err, ErrStateExpired):
		return "login_expired", "The login took too long. Please start again."
	case errors.Is(err, ErrStateMismatch):
		return "invalid_state", "This login link is invalid or was already used. Please start again."
	case status == http.StatusBadRequest || status == http.StatusUnauthorized:
		return "bad_request", err.Error()
	case status == http.StatusBadGateway:
		return "provider_error", "The identity provider did not answer as expected. Please try again later."
	}
	return "server_error", "The server could not complete the login."
}

// wantsJSON reports whether the client prefers JSON over HTML.
func wantsJSON(c *gin.Context) bool {
	accept := c.GetHeader("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}
