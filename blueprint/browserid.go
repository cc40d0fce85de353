package blueprint

import (
	"crypto/rand"
	"encoding/base64"

	"github.com/gin-gonic/gin"
)

// browserIDKey is the session key of the per-browser id.
const browserIDKey = "gindance:browser-id"

// BrowserID returns a random id for the browser, kept in its
// gin-contrib/sessions session (the one named sessionName with
// sessions.SessionsMany; "" for sessions.Sessions). Server-side token
// stores use it to key the tokens of visitors who are not users of the app.
//
// When the session has no id yet, BrowserID returns "", nil unless create is
// true; then it makes one (256 random bits, base64url) and saves the session.
// A session that cannot be saved is an error and no id is returned, so a
// caller never keys data to an id the browser will not present again. It
// fails with ErrNoSession when the sessions middleware is missing.
func BrowserID(c *gin.Context, sessionName string, create bool) (string, error) {
	sess, err := sessionFor(c, sessionName)
	if err != nil {
		return "", err
	}
	if id, ok := sess.Get(browserIDKey).(string); ok && id != "" {
		return id, nil
	}
	if !create {
		return "", nil
	}
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	id := base64.RawURLEncoding.EncodeToString(b)
	if err := updateSession(c, sess, map[string]any{browserIDKey: id}); err != nil {
		return "", err
	}
	return id, nil
}
