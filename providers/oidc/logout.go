package oidc

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

func logoutKey(name string) string { return "gindance:" + name + ":logout" }

// LogoutHandler returns a handler for RP-initiated logout (OpenID Connect
// RP-Initiated Logout 1.0): it forgets the user's token (b.Logout, which
// also revokes it where the provider can) and, when the provider has an
// end_session_endpoint, sends the browser there with id_token_hint and
// client_id, so that the provider's session ends too. With
// Config.PostLogoutRedirectURL set it adds post_logout_redirect_uri and a
// fresh state kept in the session for LogoutCallbackHandler; without it the
// request carries neither and the provider shows its own signed-out page
// (§2: both are optional), which is what a provider with no registered
// post-logout URI needs. A provider without end_session_endpoint gets a
// local logout and a redirect to PostLogoutRedirectTo. A failed revocation
// does not stop the logout. Errors are answered by
// blueprint.DefaultErrorHandler. For a logout that leaves the provider's
// session alone, call b.Logout.
func (b *Blueprint) LogoutHandler() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		c.Header("Referrer-Policy", "no-referrer")
		target, err := b.logoutURL(c)
		if err != nil {
			blueprint.DefaultErrorHandler(c, err)
			return
		}
		c.Redirect(http.StatusFound, target)
	}
}

func (b *Blueprint) logoutURL(c *gin.Context) (string, error) {
	p := b.p
	tok, _ := b.Token(c) // an expired or broken token is logged out all the same
	if err := b.Logout(c); err != nil && !errors.Is(err, blueprint.ErrRevoke) {
		return "", err
	}
	d, err := p.discovered(c.Request.Context())
	if err != nil || d.meta.EndSession == "" {
		return p.cfg.PostLogoutRedirectTo, nil // logged out locally; the provider's session is its own
	}
	u, err := url.Parse(d.meta.EndSession)
	if err != nil {
		return "", &blueprint.ProviderError{Provider: p.name, Op: "discovery", Err: err}
	}
	q := u.Query()
	if tok != nil && tok.IDToken != "" {
		q.Set("id_token_hint", tok.IDToken)
	}
	q.Set("client_id", p.cfg.ClientID)
	if p.cfg.PostLogoutRedirectURL != "" {
		sess, err := session(c, p.cfg.SessionName)
		if err != nil {
			return "", err
		}
		state := random()
		sess.Set(logoutKey(p.name), hash(state))
		if err := sess.Save(); err != nil {
			return "", err
		}
		q.Set("post_logout_redirect_uri", p.cfg.PostLogoutRedirectURL)
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// LogoutCallbackHandler returns the handler to serve at
// Config.PostLogoutRedirectURL: it checks the state the provider sends
// back against the one LogoutHandler kept (single use) and redirects to
// PostLogoutRedirectTo; a missing or wrong state is ErrLogoutState.
func (b *Blueprint) LogoutCallbackHandler() gin.HandlerFunc {
	p := b.p
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		c.Header("Referrer-Policy", "no-referrer")
		sess, err := session(c, p.cfg.SessionName)
		if err != nil {
			blueprint.DefaultErrorHandler(c, err)
			return
		}
		want, _ := sess.Get(logoutKey(p.name)).(string)
		state := c.Query("state")
		if want != "" {
			sess.Delete(logoutKey(p.name))
			if err := sess.Save(); err != nil {
				blueprint.DefaultErrorHandler(c, err)
				return
			}
		}
		if want == "" || state == "" || subtle.ConstantTimeCompare([]byte(hash(state)), []byte(want)) != 1 {
			blueprint.DefaultErrorHandler(c, ErrLogoutState)
			return
		}
		c.Redirect(http.StatusFound, p.cfg.PostLogoutRedirectTo)
	}
}

// session returns the request's gin-contrib/sessions session.
func session(c *gin.Context, name string) (sessions.Session, error) {
	v, ok := c.Get(sessions.DefaultKey)
	if !ok {
		return nil, blueprint.ErrNoSession
	}
	switch s := v.(type) {
	case sessions.Session:
		return s, nil
	case map[string]sessions.Session:
		if sess, ok := s[name]; ok && name != "" {
			return sess, nil
		}
	}
	return nil, fmt.Errorf("%w: set Config.SessionName to the session of sessions.SessionsMany", blueprint.ErrNoSession)
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}
