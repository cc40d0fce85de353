package blueprint

import (
	"crypto/subtle"
	"encoding/json"
	"errors"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
)

// sessionLogins keeps a blueprint's pending logins in the user's
// gin-contrib/sessions session, as one JSON list under a key of the
// blueprint's own, with Options.PendingLoginsInSession. It needs no key
// beyond the session store's.
type sessionLogins struct{ b *Blueprint }

func txKey(name string) string { return "gindance:" + name + ":tx" }

func (s sessionLogins) load(c *gin.Context) ([]transaction, error) {
	sess, err := sessionFor(c, s.b.set.sessionName)
	if err != nil {
		return nil, err
	}
	raw, _ := sess.Get(txKey(s.b.name)).(string)
	if raw == "" {
		return nil, nil
	}
	var txs []transaction
	if json.Unmarshal([]byte(raw), &txs) != nil {
		return nil, nil // a corrupt list holds no usable login; it is replaced on save
	}
	return txs, nil
}

func (s sessionLogins) save(c *gin.Context, txs []transaction) error {
	sess, v, err := s.value(c, txs)
	if err != nil {
		return err
	}
	return updateSession(c, sess, map[string]any{txKey(s.b.name): v})
}

// value is the session and the session value for txs (nil: none).
func (s sessionLogins) value(c *gin.Context, txs []transaction) (sessions.Session, any, error) {
	sess, err := sessionFor(c, s.b.set.sessionName)
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

// add keeps a new login in the session, dropping expired ones and the
// oldest beyond MaxPendingLogins, so that many tabs or a flood of login
// starts never grow the session without bound.
func (s sessionLogins) add(c *gin.Context, tx transaction) error {
	txs, err := s.load(c)
	if err != nil {
		return err
	}
	now := s.b.set.now()
	kept := txs[:0]
	for _, t := range txs {
		if !s.b.txExpired(t, now) {
			kept = append(kept, t)
		}
	}
	kept = append(kept, tx)
	if extra := len(kept) - s.b.set.maxPending; extra > 0 {
		kept = kept[extra:]
	}
	// A cookie session holds 4096 bytes: when the pending logins (long next
	// paths make them big) do not fit, evict the oldest until the new one does.
	for {
		err := s.save(c, kept)
		if !errors.Is(err, ErrTokenTooLarge) || len(kept) == 1 {
			return err
		}
		kept = kept[1:]
	}
}

// take removes the login from the session's values but does not save: the
// callback saves the session once at its end (flush), on every path, so
// that a successful login writes the cookie once rather than twice.
func (s sessionLogins) take(c *gin.Context, key string) (transaction, error) {
	txs, err := s.load(c)
	if err != nil {
		return transaction{}, err
	}
	for i, t := range txs {
		if subtle.ConstantTimeCompare([]byte(t.Key), []byte(key)) != 1 {
			continue
		}
		rest := append(txs[:i:i], txs[i+1:]...)
		sess, v, err := s.value(c, rest)
		if err != nil {
			return transaction{}, err
		}
		if v == nil {
			sess.Delete(txKey(s.b.name))
		} else {
			sess.Set(txKey(s.b.name), v)
		}
		if s.b.txExpired(t, s.b.set.now()) {
			return transaction{}, ErrStateExpired
		}
		return t, nil
	}
	return transaction{}, ErrStateMismatch
}

// flush saves the session after take, unless something (the session
// storage storing the token) saved it since: gin-contrib/sessions' Save
// writes only a session changed since its last save.
func (s sessionLogins) flush(c *gin.Context) error {
	sess, err := sessionFor(c, s.b.set.sessionName)
	if err != nil {
		return nil // take found no session, so changed nothing
	}
	return updateSession(c, sess, nil)
}
