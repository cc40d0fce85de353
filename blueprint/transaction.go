package blueprint

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
)

// transaction is one started login, kept in the user's session until the
// callback takes it out (once). Field names are short: with a cookie session
// every byte travels on every request.
type transaction struct {
	Key      string `json:"k"`           // hash of the state (OAuth 2) or request token (OAuth 1)
	Verifier string `json:"v,omitempty"` // PKCE code_verifier
	Nonce    string `json:"n,omitempty"` // OpenID Connect nonce
	Issuer   string `json:"i,omitempty"` // issuer the login went to (RFC 9207)
	Redirect string `json:"r"`           // redirect_uri sent at login, sent again at exchange
	Next     string `json:"x,omitempty"` // safe path to return to
	Secret   string `json:"s,omitempty"` // OAuth 1.0a request token secret
	Issued   int64  `json:"t"`           // unix seconds
}

func txKey(name string) string { return "gindance:" + name + ":tx" }

// randomString returns n random bytes, base64url-encoded without padding.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashKey is what a transaction is found by: a truncated SHA-256 of the
// state, so the session never holds the state itself.
func hashKey(state string) string {
	sum := sha256.Sum256([]byte(state))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

func (b *Blueprint) loadTxs(c *gin.Context) ([]transaction, error) {
	sess, err := sessionFor(c, b.set.sessionName)
	if err != nil {
		return nil, err
	}
	raw, _ := sess.Get(txKey(b.name)).(string)
	if raw == "" {
		return nil, nil
	}
	var txs []transaction
	if json.Unmarshal([]byte(raw), &txs) != nil {
		return nil, nil // a corrupt list holds no usable login; it is replaced on save
	}
	return txs, nil
}

func (b *Blueprint) saveTxs(c *gin.Context, txs []transaction) error {
	sess, v, err := b.txsValue(c, txs)
	if err != nil {
		return err
	}
	return updateSession(c, sess, map[string]any{txKey(b.name): v})
}

// txsValue is the session and the session value for txs (nil: none).
func (b *Blueprint) txsValue(c *gin.Context, txs []transaction) (sessions.Session, any, error) {
	sess, err := sessionFor(c, b.set.sessionName)
	if err != nil {
		return nil, nil, err
	}
	if len(txs) == 0 {
		return sess, nil, nil
	}
	raw, err := json.Marshal(txs)
	if err != nil {
		return nil, nil, err
	}
	return sess, string(raw), nil
}

// addTx keeps a new login in the session, dropping expired ones and the
// oldest beyond MaxPendingLogins, so that many tabs or a flood of login
// starts never grow the session without bound.
func (b *Blueprint) addTx(c *gin.Context, tx transaction) error {
	txs, err := b.loadTxs(c)
	if err != nil {
		return err
	}
	now := time.Now()
	kept := txs[:0]
	for _, t := range txs {
		if !b.txExpired(t, now) {
			kept = append(kept, t)
		}
	}
	kept = append(kept, tx)
	if extra := len(kept) - b.set.maxPending; extra > 0 {
		kept = kept[extra:]
	}
	// A cookie session holds 4096 bytes: when the pending logins (long next
	// paths make them big) do not fit, evict the oldest until the new one does.
	for {
		err := b.saveTxs(c, kept)
		if !errors.Is(err, ErrTokenTooLarge) || len(kept) == 1 {
			return err
		}
		kept = kept[1:]
	}
}

// takeTx removes the login whose state is given from the session and
// returns it: single use, even when the rest of the callback fails. The
// removal is made in the session's values but not saved: the callback saves
// the session once at its end (flushTx), on every path, so that a successful
// login writes the cookie once rather than twice.
func (b *Blueprint) takeTx(c *gin.Context, state string) (transaction, error) {
	if state == "" {
		return transaction{}, ErrStateMismatch
	}
	txs, err := b.loadTxs(c)
	if err != nil {
		return transaction{}, err
	}
	key := hashKey(state)
	for i, t := range txs {
		if subtle.ConstantTimeCompare([]byte(t.Key), []byte(key)) != 1 {
			continue
		}
		rest := append(txs[:i:i], txs[i+1:]...)
		sess, v, err := b.txsValue(c, rest)
		if err != nil {
			return transaction{}, err
		}
		if v == nil {
			sess.Delete(txKey(b.name))
		} else {
			sess.Set(txKey(b.name), v)
		}
		if b.txExpired(t, time.Now()) {
			return transaction{}, ErrStateExpired
		}
		return t, nil
	}
	return transaction{}, ErrStateMismatch
}

func (b *Blueprint) txExpired(t transaction, now time.Time) bool {
	return now.Sub(time.Unix(t.Issued, 0)) > b.set.loginTTL
}

// flushTx saves the session after takeTx, unless something (the session
// storage storing the token) saved it since: gin-contrib/sessions' Save
// writes only a session changed since its last save.
func (b *Blueprint) flushTx(c *gin.Context) error {
	sess, err := sessionFor(c, b.set.sessionName)
	if err != nil {
		return nil // takeTx found no session, so changed nothing
	}
	return updateSession(c, sess, nil)
}
