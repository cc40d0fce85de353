package blueprint

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"
)

// transaction is one started login, kept until the callback takes it out
// (once). Field names are short: a pending login travels in a cookie, either
// the session's or one of its own.
type transaction struct {
	Key      string `json:"k"`           // hash of the state (OAuth 2) or request token (OAuth 1)
	Verifier string `json:"v,omitempty"` // PKCE code_verifier
	Nonce    string `json:"n,omitempty"` // OpenID Connect nonce
	Issuer   string `json:"i,omitempty"` // issuer the login went to (RFC 9207)
	Redirect string `json:"r"`           // redirect_uri sent at login, sent again at exchange
	Next     string `json:"x,omitempty"` // safe path to return to
	Secret   string `json:"s,omitempty"` // OAuth 1.0a request token secret
	Mode     string `json:"m,omitempty"` // response mode asked for: "" (query) or ResponseModeFormPost
	Issued   int64  `json:"t"`           // unix seconds
}

// pendingLogins keeps started logins between the login request and the
// callback. It is the one seam between the flow and where logins wait: a
// sealed cookie per login (cookieLogins, the default, under a derived key or
// LoginCookieKey) or the user's session (sessionLogins); pendingLoginsFor
// chooses.
type pendingLogins interface {
	// add keeps tx, dropping expired logins and the oldest beyond
	// MaxPendingLogins.
	add(c *gin.Context, tx transaction) error
	// take removes the login whose key is given and returns it: single
	// use, even when the rest of the callback fails. ErrStateMismatch when
	// there is none, ErrStateExpired when it is too old.
	take(c *gin.Context, key string) (transaction, error)
	// flush makes a take permanent where take itself only changed the
	// request's view (the session is saved once per callback).
	flush(c *gin.Context) error
}

// randomString returns n random bytes, base64url-encoded without padding.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashKeyLen is the length of a hashKey.
const hashKeyLen = 24

// stateHash is a truncated SHA-256 of a state: 144 bits.
type stateHash [18]byte

func hashState(state string) stateHash {
	sum := sha256.Sum256([]byte(state))
	return stateHash(sum[:18])
}

// key is what a transaction is found by: its stateHash, base64url, so that
// neither the session nor a cookie name holds the state.
func (h stateHash) key() string { return base64.RawURLEncoding.EncodeToString(h[:]) }

// hashKey is the key of state's transaction.
func hashKey(state string) string { return hashState(state).key() }

// addTx keeps a new login until its callback.
func (b *Blueprint) addTx(c *gin.Context, tx transaction) error { return b.pending.add(c, tx) }

// takeTx removes the login whose state is given and returns it. A login
// this process has already taken is ErrStateMismatch, even when the
// browser presents its cookie again (see usedLogins).
func (b *Blueprint) takeTx(c *gin.Context, state string) (transaction, error) {
	if state == "" {
		return transaction{}, ErrStateMismatch
	}
	h := hashState(state)
	tx, err := b.pending.take(c, h.key())
	if err != nil {
		return transaction{}, err
	}
	if !b.used.claim(h, b.set.now()) {
		return transaction{}, errLoginUsed
	}
	return tx, nil
}

// errLoginUsed is takeTx's ErrStateMismatch for a login this process has
// already taken: the request carries the browser's cookies from before
// that callback, so nothing of it may be saved back (see handleCallback).
var errLoginUsed = fmt.Errorf("%w (this login was already completed)", ErrStateMismatch)

// flushTx makes takeTx's removal permanent.
func (b *Blueprint) flushTx(c *gin.Context) error { return b.pending.flush(c) }

func (b *Blueprint) txExpired(t transaction, now time.Time) bool {
	return now.Sub(time.Unix(t.Issued, 0)) > b.set.loginTTL
}
