package blueprint

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
)

// maxCookieBytes is what browsers keep of one cookie, name and attributes
// included (RFC 6265 §6.1 asks for at least 4096 bytes).
const maxCookieBytes = 4096

// sessionFor returns the gin-contrib/sessions session of the request, or
// ErrNoSession when the middleware is missing.
func sessionFor(c *gin.Context, name string) (sessions.Session, error) {
	v, ok := c.Get(sessions.DefaultKey)
	if !ok {
		return nil, ErrNoSession
	}
	switch s := v.(type) {
	case sessions.Session:
		return s, nil
	case map[string]sessions.Session:
		if name == "" {
			return nil, fmt.Errorf("%w: sessions.SessionsMany is installed; set the blueprint's SessionName", ErrConfig)
		}
		if sess, ok := s[name]; ok {
			return sess, nil
		}
		return nil, fmt.Errorf("%w: no session named %q", ErrNoSession, name)
	}
	return nil, ErrNoSession
}

// updateSession applies changes (a nil value deletes the key) and saves the
// session, all or nothing: when the save fails, or the cookie it writes is
// larger than browsers keep, the session values and the response's
// Set-Cookie headers are put back as they were.
func updateSession(c *gin.Context, sess sessions.Session, changes map[string]any) error {
	old := make(map[string]any, len(changes))
	for k, v := range changes {
		old[k] = sess.Get(k)
		if v == nil {
			sess.Delete(k)
		} else {
			sess.Set(k, v)
		}
	}
	h := c.Writer.Header()
	before := append([]string(nil), h.Values("Set-Cookie")...)
	err := sess.Save()
	if err == nil {
		err = checkCookies(h, len(before))
	}
	if err != nil {
		for k, v := range old {
			if v == nil {
				sess.Delete(k)
			} else {
				sess.Set(k, v)
			}
		}
		if len(before) == 0 {
			h.Del("Set-Cookie")
		} else {
			h["Set-Cookie"] = before
		}
		if strings.Contains(err.Error(), "too long") {
			err = fmt.Errorf("%w (%v)", ErrTokenTooLarge, err)
		}
		return err
	}
	return nil
}

// checkCookies checks the Set-Cookie lines a save added after the first n:
// none may exceed what browsers keep. It also drops earlier lines for the
// same cookie, so that a request that saves its session twice sends one.
func checkCookies(h http.Header, n int) error {
	all := h.Values("Set-Cookie")
	if len(all) <= n {
		return nil
	}
	added := all[n:]
	names := make(map[string]bool, len(added))
	for _, line := range added {
		if len(line) > maxCookieBytes {
			return ErrTokenTooLarge
		}
		names[cookieName(line)] = true
	}
	kept := make([]string, 0, len(all))
	for _, line := range all[:n] {
		if !names[cookieName(line)] {
			kept = append(kept, line)
		}
	}
	h["Set-Cookie"] = append(kept, added...)
	return nil
}

func cookieName(setCookie string) string {
	name, _, _ := strings.Cut(setCookie, "=")
	return strings.TrimSpace(name)
}
