package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"github.com/go-jose/go-jose/v4"

	"github.com/gindance/gindance/blueprint"
)

// backChannelEvent is the events member of a logout token (OpenID Connect
// Back-Channel Logout 1.0 §2.4).
const backChannelEvent = "http://schemas.openid.net/event/backchannel-logout"

// Limits of back-channel logout.
const (
	// maxLogoutTokenAge is how old (by iat) a logout token may be; its jti
	// is remembered that long, so that a replay within it is refused.
	maxLogoutTokenAge = 10 * time.Minute
	// maxLogoutJTIs bounds the remembered jtis per blueprint.
	maxLogoutJTIs = 100_000
	// maxLogoutToken bounds the logout_token parameter.
	maxLogoutToken = 16 << 10
)

// jtiSet remembers the jtis of accepted logout tokens until they are too
// old to be accepted anyway.
type jtiSet struct {
	mu sync.Mutex
	m  map[string]time.Time // jti -> when it may be forgotten
}

// use records jti; false when it was used already or the set is full.
func (s *jtiSet) use(jti string, until, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]time.Time)
	}
	if _, seen := s.m[jti]; seen {
		return false
	}
	if len(s.m) >= maxLogoutJTIs {
		for k, t := range s.m {
			if now.After(t) {
				delete(s.m, k)
			}
		}
		if len(s.m) >= maxLogoutJTIs {
			return false
		}
	}
	s.m[jti] = until
	return true
}

// release forgets jti again: the logout it was used for did not happen
// (§2.8: the OP may retry the same token).
func (s *jtiSet) release(jti string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, jti)
}

// logoutClaims are the claims of a logout token checked here.
type logoutClaims struct {
	Subject string                     `json:"sub"`
	SID     string                     `json:"sid"`
	JTI     string                     `json:"jti"`
	IAT     *json.Number               `json:"iat"`
	EXP     *json.Number               `json:"exp"`
	Events  map[string]json.RawMessage `json:"events"`
	Nonce   *json.RawMessage           `json:"nonce"`
}

// BackChannelLogoutHandler serves the relying party's
// backchannel_logout_uri (OpenID Connect Back-Channel Logout 1.0): mount it
// with r.POST(path, b.BackChannelLogoutHandler()) and register
// path's absolute URL at the provider. It validates the POSTed logout_token
// (§2.6): signed by the provider's keys with an allowed algorithm, iss and
// aud this blueprint's, typ absent, JWT or logout+jwt, iat not in the
// future nor older than 10 minutes, exp not passed, the backchannel-logout
// member in events, sub or sid present, no nonce, and a jti not seen in the
// last 10 minutes (in this process; a token whose logout failed does not
// count as seen, so the OP's retry passes). It then forgets every token of the
// session (sid) or, without sid, of the subject, through the blueprint's
// Storage, which must be a blueprint.SessionForgetter (storage.Store, for
// every built-in backend): the user's next request, through any replica
// sharing the store, is logged out.
//
// Answers (§2.8): 200 when the token was valid and its sessions are
// forgotten (whether or not a token was stored for them); 400 with an
// error JSON when the request was invalid or the logout failed, as §2.8
// requires: error invalid_request for a rejected logout token,
// server_error when the blueprint's Storage cannot forget by session (the
// session default), temporarily_unavailable when the store failed. Every
// answer carries Cache-Control: no-store.
func (b *Blueprint) BackChannelLogoutHandler() gin.HandlerFunc {
	p := b.p
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		raw := c.PostForm("logout_token")
		if raw == "" || len(raw) > maxLogoutToken {
			c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": "invalid_request", "error_description": "logout_token is missing or too long"})
			return
		}
		lc, err := p.verifyLogoutToken(c.Request.Context(), raw)
		if err != nil {
			c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": "invalid_request", "error_description": err.Error()})
			return
		}
		sf, ok := b.Storage().(blueprint.SessionForgetter)
		if !ok {
			p.logoutJTIs.release(lc.JTI)
			c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": "server_error",
				"error_description": "tokens are kept in browser sessions, which cannot be reached from the back channel"})
			return
		}
		if _, err := sf.ForgetSession(context.WithoutCancel(c.Request.Context()), b.Name(), p.cfg.Issuer, lc.SID, lc.Subject); err != nil {
			p.logoutJTIs.release(lc.JTI) // nobody was logged out: a retry must pass
			c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": "temporarily_unavailable",
				"error_description": "the token store failed; nobody was logged out"})
			return
		}
		c.Status(http.StatusOK)
	}
}

// verifyLogoutToken validates raw as Back-Channel Logout 1.0 §2.6 asks.
func (p *provider) verifyLogoutToken(ctx context.Context, raw string) (*logoutClaims, error) {
	fail := func(format string, a ...any) (*logoutClaims, error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrLogoutToken}, a...)...)
	}
	d, err := p.discovered(ctx)
	if err != nil {
		return nil, err
	}
	algs := make([]jose.SignatureAlgorithm, 0, len(d.algs))
	for _, a := range d.algs {
		algs = append(algs, jose.SignatureAlgorithm(a))
	}
	jws, err := jose.ParseSigned(raw, algs)
	if err != nil || len(jws.Signatures) != 1 {
		return fail("not a JWS signed with an allowed algorithm")
	}
	switch typ, _ := jws.Signatures[0].Protected.ExtraHeaders[jose.HeaderType].(string); typ {
	case "", "JWT", "logout+jwt": // §4.1: logout+jwt where the OP types its tokens
	default:
		return fail("typ %q is not a logout token's", typ)
	}
	// Signature, iss, aud and alg by go-oidc; exp below, since go-oidc's
	// check would also refuse a token that lacks it.
	v := gooidc.NewVerifier(p.cfg.Issuer, d.keys, &gooidc.Config{ClientID: p.cfg.ClientID, SupportedSigningAlgs: d.algs, SkipExpiryCheck: true})
	t, err := v.Verify(gooidc.ClientContext(ctx, p.hc), raw)
	if err != nil {
		return fail("%v", err)
	}
	var lc logoutClaims
	if err := t.Claims(&lc); err != nil {
		return fail("claims: %v", err)
	}
	now := p.now()
	skew := p.skew()
	iat, errIAT := numericTime(lc.IAT)
	exp, errEXP := numericTime(lc.EXP)
	switch {
	case errIAT != nil || iat.After(now.Add(skew)) || iat.Before(now.Add(-maxLogoutTokenAge)):
		return fail("iat is missing, in the future or older than %v", maxLogoutTokenAge)
	case errEXP != nil || !now.Before(exp.Add(skew)):
		return fail("exp is missing or passed")
	case lc.Events == nil || !isJSONObject(lc.Events[backChannelEvent]):
		return fail("events lacks the %s member", backChannelEvent) // §2.6 item 5
	case lc.Subject == "" && lc.SID == "":
		return fail("neither sub nor sid") // item 6
	case lc.Nonce != nil:
		return fail("a logout token must not carry a nonce") // item 7
	case lc.JTI == "":
		return fail("jti is missing")
	}
	if !p.logoutJTIs.use(lc.JTI, iat.Add(maxLogoutTokenAge+skew), now) { // item 8
		return fail("jti already used")
	}
	return &lc, nil
}

func numericTime(n *json.Number) (time.Time, error) {
	if n == nil {
		return time.Time{}, errors.New("missing")
	}
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(int64(f), 0), nil
}

func isJSONObject(raw json.RawMessage) bool {
	var m map[string]any
	return len(raw) > 0 && json.Unmarshal(raw, &m) == nil && m != nil
}
