package blueprint

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
)

// handleCallback serves GET /<name>/authorized (and, through
// handleFormPost, POST for FormPost blueprints): it takes the login's
// transaction out of its sealed cookie or the session (single use), lets the protocol check the
// response and obtain the token, runs the OnLogin hooks, stores the token and
// redirects to the next path. Every failure ends in OnError with nothing
// stored.
func (b *Blueprint) handleCallback(c *gin.Context) {
	noStore(c)
	// fail saves the transaction's removal first: single use, whatever
	// else failed. A login already completed is not saved: the request
	// carries the session from before its first callback (a double
	// submit), and saving that would replace the session the first
	// callback stored the token in.
	fail := func(err error) {
		if !errors.Is(err, errLoginUsed) {
			if ferr := b.flushTx(c); ferr != nil {
				err = errors.Join(err, ferr)
			}
		}
		b.fail(c, err)
	}
	state := b.proto.callbackState(c)
	if u, ok := b.proto.(untiedCallback); ok && state == "" {
		if err := u.untiedError(c); err != nil {
			b.fail(c, err)
			return
		}
	}
	tx, err := b.takeTx(c, state)
	if err == nil {
		err = checkResponseMode(c, &tx)
	}
	if err != nil {
		fail(err)
		return
	}
	tok, err := b.proto.complete(c, &tx)
	if err != nil {
		fail(err)
		return
	}
	// Before OnLogin puts the app's user in the session, and before the
	// token is stored: neither may land under an id from before the login.
	if err := b.rotateSessionID(c); err != nil {
		fail(err)
		return
	}
	// OnLogin hooks see the new token through Token, Client and Identity.
	st := b.state(c)
	st.loaded, st.tok, st.err, st.identity = true, tok, nil, nil
	store, held, err := b.runOnLogin(c, tok)
	if err != nil {
		st.loaded, st.tok, st.identity = false, nil, nil
		fail(err)
		return
	}
	if store {
		if err := b.setToken(c, tok); err != nil {
			st.loaded, st.tok, st.identity = false, nil, nil
			fail(err)
			return
		}
	}
	// With the session storage the token's save above wrote the removal
	// too, and this is a no-op; other storages need it.
	if err := b.flushTx(c); err != nil {
		b.fail(c, err)
		return
	}
	if held.Written() {
		held.release()
		return
	}
	if c.IsAborted() {
		return
	}
	// Checked again: the path was safe when the login started, and stays
	// so even if a pending login was forged with a leaked login-cookie key.
	next, ok := SafeNext(tx.Next)
	if !ok {
		next = b.set.redirectTo
	}
	c.Redirect(http.StatusFound, next)
}

// untiedCallback is a protocol whose provider may end a login with an
// answer that names no login: OAuth 1.0a has no state, and a denial that
// carries no request token cannot be matched to a pending login.
type untiedCallback interface {
	// untiedError returns the refusal such a callback reports, or nil.
	untiedError(c *gin.Context) error
}

// runOnLogin runs the OnLogin hooks with their output held back (see
// heldWriter). store is false when a hook returned ErrSkipStore. On error the
// held output is discarded and the real writer restored.
func (b *Blueprint) runOnLogin(c *gin.Context, tok *Token) (store bool, held *heldWriter, err error) {
	real := c.Writer
	held = &heldWriter{ResponseWriter: real}
	c.Writer = held
	defer func() { c.Writer = real }()
	store = true
	for _, fn := range b.onLogin {
		if err := fn(c, tok); errors.Is(err, ErrSkipStore) {
			store = false
		} else if err != nil {
			return false, held, err
		}
		if held.Written() {
			break
		}
	}
	return store, held, nil
}
