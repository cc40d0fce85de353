package blueprint

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"
)

// refresher makes one refresh out of many: concurrent requests holding the
// same token share one call to the provider (singleflight), and requests that
// arrive shortly after with the old token (a browser that sent its old cookie,
// a replica that read the old row) reuse the result instead of presenting a
// refresh token that rotation may already have invalidated.
type refresher struct {
	group singleflight.Group

	mu     sync.Mutex
	recent recent[string, recentRefresh]
	// busy holds, per token, the 429/503 answer of its last refresh until
	// the provider's Retry-After has passed.
	busy map[string]backoff
}

type backoff struct {
	until time.Time
	err   error
}

// DefaultRecentRefreshTTL is how long a blueprint remembers a refresh it
// made, so that a request still carrying the token it replaced gets the
// new one rather than refreshing again.
const DefaultRecentRefreshTTL = 30 * time.Second

// DefaultRefreshBackoff is how long the blueprint waits before refreshing a
// token again after the provider answered its refresh with 429 or 503
// without a Retry-After, or did not answer (a dropped connection, a
// timeout): the requests in between fail at once with that error instead of
// each calling the overloaded provider.
const DefaultRefreshBackoff = time.Second

// maxRefreshBackoff caps a provider's Retry-After: a token is never stuck
// for longer.
const maxRefreshBackoff = 5 * time.Minute

// overloaded returns how long to wait after a refresh failed with err: the
// provider's Retry-After on a 429 or 503, else DefaultRefreshBackoff, also
// when no answer came; 0 for other failures (an OAuth error, a bad answer),
// which the next request may retry at once.
func overloaded(err error) time.Duration {
	var pe *ProviderError
	switch {
	case !errors.As(err, &pe):
		return 0
	case pe.StatusCode == 429 || pe.StatusCode == 503:
		if pe.RetryAfter > 0 {
			return min(pe.RetryAfter, maxRefreshBackoff)
		}
		return DefaultRefreshBackoff
	case pe.StatusCode == 0 && errors.As(pe.Err, new(*url.Error)):
		// no answer at all: the provider dropped the connection or did not
		// answer within ProviderTimeout
		return DefaultRefreshBackoff
	}
	return 0
}

// backingOff returns the error that a refresh of key met while the provider
// asked to wait, or nil.
func (r *refresher) backingOff(key string, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.busy[key]
	if !ok {
		return nil
	}
	if !now.Before(e.until) {
		delete(r.busy, key)
		return nil
	}
	return e.err
}

// backOff records a 429/503 answer to the refresh of key.
func (r *refresher) backOff(key string, err error, now time.Time) {
	d := overloaded(err)
	if d <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, e := range r.busy { // bounded by the tokens refreshed in the last few minutes
		if !now.Before(e.until) {
			delete(r.busy, k)
		}
	}
	r.busy[key] = backoff{until: now.Add(d), err: err}
}

// recentRefresh is a refresh result: the token and the slot of the shared
// store it is known to be stored in ("" when it is not known to be stored
// anywhere; see TokenSlotter).
type recentRefresh struct {
	tok  *Token
	slot string
	// fresh: the token was outside the refresh leeway when it was
	// remembered (a provider may issue tokens that expire within it)
	fresh bool
	// remembered: the result was made earlier, not by the flight that
	// returned it
	remembered bool
}

func (r *refresher) init(ttl time.Duration) {
	r.recent.ttl = ttl
	r.busy = make(map[string]backoff)
}

// refreshKey identifies a token for refreshing: a hash of the blueprint name
// and both tokens, so no token is kept as a map key.
func refreshKey(name string, t *Token) string {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(t.RefreshToken))
	h.Write([]byte{0})
	h.Write([]byte(t.AccessToken))
	return string(h.Sum(nil))
}

func (r *refresher) lookup(key string, now time.Time) (recentRefresh, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.recent.get(key, now)
}

// remember keeps res as the refresh result of key.
func (r *refresher) remember(key string, res recentRefresh, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recent.put(key, res, now)
}

// refreshToken replaces an expiring token: from the recent results, or by
// one refresh shared by every request racing with the same token. Each
// request stores the result through its own setter (with a session store,
// each browser's cookie must be updated), except where the refresh itself
// already stored it in the request's own slot of a shared store (see
// TokenSlotter): writing it again there would change nothing, and in a
// refresh storm it is one write per racing request. A provider answer of
// invalid_grant forgets the token and yields ErrNotAuthorized. o is whose
// token it is: a request's user, or a user key outside any request
// (ClientFor); both share one refresh.
//
// A remembered result that has come within the refresh leeway since it was
// remembered is refreshed itself: a request may read old late (a slow
// store), or from a store that lost the refreshed token's write (a
// failover), while this process remembers the refresh for
// DefaultRecentRefreshTTL, longer than a short-lived token lives.
func (b *Blueprint) refreshToken(o owner, old *Token) (*Token, error) {
	tok, _, err := b.replaceToken(o, old)
	return tok, err
}

// replaceToken is refreshToken, and made reports whether the token is what
// a refresh made or joined by this call gave: not a remembered result, to
// which an API's 401 is answered with one more refresh (it may have been
// revoked since), nor old itself.
func (b *Blueprint) replaceToken(o owner, old *Token) (tok *Token, made bool, err error) {
	now := b.set.now()
	if old.RefreshToken == "" {
		if old.Expired(now, 0) {
			return nil, false, fmt.Errorf("%w: the token expired and there is no refresh token", ErrNotAuthorized)
		}
		return old, false, nil // within the leeway: still usable
	}
	key := refreshKey(b.name, old)
	res, remembered := b.newestRemembered(old)
	if !remembered {
		if err := b.refresh.backingOff(key, now); err != nil {
			tok, err := b.refreshFailed(o, old, err)
			return tok, false, err
		}
		leader := b.detach(o) // the shared call may outlive this request
		ch := b.refresh.group.DoChan(key, func() (any, error) {
			// A flight for this token may have finished between the lookup
			// above and DoChan; its result is remembered by now. Refreshing
			// again would replay a rotated refresh token.
			if res, ok := b.newestRemembered(old); ok {
				res.remembered = true
				return res, nil
			}
			return b.refreshShared(leader, old, key)
		})
		select {
		case r := <-ch:
			if r.Err != nil {
				tok, err := b.refreshFailed(o, old, r.Err)
				return tok, false, err
			}
			res = r.Val.(recentRefresh)
			remembered = res.remembered
		case <-o.ctx.Done():
			return nil, false, o.ctx.Err()
		}
	}
	if remembered && res.fresh && res.tok.Expired(b.set.now(), b.set.leeway) {
		return b.replaceToken(o, res.tok) // res.tok's refresh is not remembered: a flight
	}
	tok = res.tok.Clone()
	if res.slot != "" && b.slotOf(o) == res.slot {
		return tok, !remembered, nil // the store holds it (or what replaced it since)
	}
	if err := b.storeOwned(o, tok); err != nil {
		return nil, false, err
	}
	return tok, !remembered, nil
}

// refreshContext is the context the shared refresh runs on: a copy of c,
// since the refresh may outlive the request, carrying the request's slot in
// a shared store (RefreshSlot), read here while the request is still
// waiting, so that the store finds the token by it instead of reading the
// request's session, which the app may write once the request has given up
// waiting. Only a store consulted by the refresh itself (no TokenGetter)
// needs it.
func (b *Blueprint) refreshContext(c *gin.Context) *gin.Context {
	cp := c.Copy()
	ts, ok := b.storage.(TokenSlotter)
	if _, shared := b.storage.(RefreshLocker); !ok || !shared || b.getter != nil {
		return cp
	}
	if slot, err := ts.TokenSlot(c, b.name); err == nil && slot != "" {
		cp.Set(refreshSlotKey{}, slot)
	}
	return cp
}

// tokenSlot is the request's slot in a shared store (TokenSlotter), or ""
// when there is none or the app's own getter or setter stands in for the
// storage.
func (b *Blueprint) tokenSlot(c *gin.Context) string {
	ts, ok := b.storage.(TokenSlotter)
	if !ok || b.getter != nil || b.setter != nil {
		return ""
	}
	if _, shared := b.storage.(RefreshLocker); !shared {
		return ""
	}
	slot, err := ts.TokenSlot(c, b.name)
	if err != nil {
		return ""
	}
	return slot
}

// refreshShared is the one refresh behind a singleflight key. It runs on a
// context of its own (x/oauth2 #388: a cancelled request must not cancel the
// refresh every other racer waits for), bounded by the provider timeout. With
// a store shared between instances it holds the store's refresh lock and
// re-reads the token first: another instance may have refreshed it already.
func (b *Blueprint) refreshShared(o owner, old *Token, key string) (recentRefresh, error) {
	if ll, ok := b.leaseLocker(o); ok {
		return b.refreshLeased(o, ll, old, key)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(o.ctx), b.set.timeout)
	defer cancel()
	shared := b.sharesRefresh(o)
	var unlock func() // nil once handed to keepStoring
	defer func() {
		if unlock != nil {
			unlock()
		}
	}()
	cur, restore := old, false
	if shared {
		var err error
		if unlock, err = b.lockRefresh(ctx, o); err != nil {
			return recentRefresh{}, err
		}
		cur, err = b.getShared(ctx, o)
		cur, restore = b.restoring(cur, err)
		if res, done, err := b.refreshedElsewhere(o, key, old, cur, err); done && !restore {
			return res, err
		}
	}
	tok := cur
	if !b.restoresAsIs(restore, old, cur) {
		var err error
		if tok, err = b.callProvider(ctx, cur, key); err != nil {
			return recentRefresh{}, err
		}
	}
	if shared && b.setter == nil {
		// store before unlocking, so the next lock holder reads the new token
		if err := b.setShared(o, tok); err != nil {
			// The provider has answered: with rotation the old refresh
			// token is spent, and this token must not be lost. Later
			// requests here reuse it, and write it themselves (it is
			// remembered as stored nowhere); the lock stays held (up to
			// its TTL) until it is stored, so other instances wait and
			// then read it.
			b.refreshed(key, tok, "")
			go b.keepStoring(func() error { return b.setShared(o, tok) }, unlock)
			unlock = nil
			return recentRefresh{}, err
		}
		return b.refreshed(key, tok, b.slotOf(o)), nil
	}
	return b.refreshed(key, tok, ""), nil
}

// restoring looks at the token read again under the refresh lock or lease
// (cur, or the error reading it) for a token this process has refreshed
// already: a store that answers it lost the write of its refresh (an
// asynchronous replica promoted by a failover, say). Its refresh token is
// spent; refreshing it again would replay it (with rotation and reuse
// detection, the provider would end the grant). restoring returns the
// newest token this process remembers refreshing from it, and true; or cur
// and false.
func (b *Blueprint) restoring(cur *Token, err error) (*Token, bool) {
	if err != nil || cur == nil || cur.RefreshToken == "" {
		return cur, false
	}
	if res, ok := b.newestRemembered(cur); ok {
		return res.tok, true
	}
	return cur, false
}

// newestRemembered follows this process's remembered refreshes from tok:
// tok's result, that result's own, and so on. It returns the last one
// found, or false when tok's refresh is not remembered.
func (b *Blueprint) newestRemembered(tok *Token) (res recentRefresh, ok bool) {
	now := b.set.now()
	// each remembered result is newer than what it replaced; the bound
	// guards against a memory that says otherwise
	for range maxRememberedChain {
		next, found := b.refresh.lookup(refreshKey(b.name, tok), now)
		if !found || next.tok.AccessToken == tok.AccessToken {
			break
		}
		res, ok, tok = next, true, next.tok
	}
	return res, ok
}

// maxRememberedChain bounds how many remembered refreshes newestRemembered
// follows: one per refresh within DefaultRecentRefreshTTL.
const maxRememberedChain = 16

// restoresAsIs reports whether cur, a token restoring found, is written
// back as it is instead of refreshed: it is fresh, and it is not old, the
// token the refresh was asked to replace (an API may have refused it
// before its expiry).
func (b *Blueprint) restoresAsIs(restore bool, old, cur *Token) bool {
	return restore && cur.AccessToken != old.AccessToken && !cur.Expired(b.set.now(), b.set.leeway)
}

// refreshedElsewhere looks at the token read again under the refresh lock
// or lease (cur, or the error reading it): done when there is nothing left
// to refresh, because the read failed, the user logged out meanwhile, or
// another instance refreshed and stored it before unlocking (its token is
// the result).
func (b *Blueprint) refreshedElsewhere(o owner, key string, old, cur *Token, err error) (res recentRefresh, done bool, _ error) {
	switch {
	case err != nil:
		return recentRefresh{}, true, err
	case cur == nil:
		return recentRefresh{}, true, fmt.Errorf("%w: logged out during refresh", ErrNotAuthorized)
	case cur.AccessToken != old.AccessToken && !cur.Expired(b.set.now(), b.set.leeway):
		return b.refreshed(key, cur, b.slotOf(o)), true, nil
	}
	return recentRefresh{}, false, nil
}

// callProvider refreshes tok at the provider. A failure starts key's
// back-off (429, 503, no answer); a token that cannot be refreshed is
// ErrNotAuthorized.
func (b *Blueprint) callProvider(ctx context.Context, tok *Token, key string) (*Token, error) {
	fresh, err := b.proto.refresh(ctx, tok)
	if err != nil {
		b.refresh.backOff(key, err, b.set.now())
		return nil, err
	}
	if fresh == nil {
		return nil, fmt.Errorf("%w: the token expired and cannot be refreshed", ErrNotAuthorized)
	}
	return fresh, nil
}

// refreshed remembers tok as the refresh result of key, stored in slot (or
// "": not known to be stored), and returns the result.
func (b *Blueprint) refreshed(key string, tok *Token, slot string) recentRefresh {
	now := b.set.now()
	res := recentRefresh{tok: tok, slot: slot, fresh: !tok.Expired(now, b.set.leeway)}
	b.refresh.remember(key, res, now)
	return res
}

// keepStoring retries store, the write of a refreshed token whose first
// write failed, holding the refresh lock, until a write succeeds, the store
// holds another token (ErrTokenChanged: a fenced write, which must not be
// forced) or the recent-refresh memory (which holds the token meanwhile)
// forgets it; then it unlocks.
func (b *Blueprint) keepStoring(store func() error, unlock func()) {
	defer unlock()
	// real time, not Options.Now: this loop sleeps for real
	wait := 50 * time.Millisecond
	deadline := time.Now().Add(b.refresh.recent.ttl)
	for time.Now().Before(deadline) {
		time.Sleep(wait)
		if err := store(); err == nil || errors.Is(err, ErrTokenChanged) {
			return
		}
		wait = min(2*wait, time.Second)
	}
	logger := b.set.log()
	logger.Error("gindance: a refreshed token could not be stored; the user will have to log in again",
		slog.String("provider", b.name))
}

// refreshFailed turns a refresh failure of old into what the request sees.
// When the provider said the grant is no longer valid (RFC 6749 §5.2
// invalid_grant), the token is useless: it is forgotten and the user must
// log in again. A shared store forgets it only if it still holds it
// (TokenForgetter): a newer token another instance stored meanwhile is
// kept, and used when it has not expired.
// The caller makes the result the request's token (the request's memo is
// its to update).
func (b *Blueprint) refreshFailed(o owner, old *Token, err error) (*Token, error) {
	var pe *ProviderError
	if errors.As(err, &pe) && pe.Code == "invalid_grant" {
		if forget, ok := b.forgetter(o); ok {
			cur, derr := forget(old)
			switch {
			case derr != nil:
				return nil, errors.Join(fmt.Errorf("%w: %w", ErrNotAuthorized, err), derr)
			case cur != nil && !cur.Expired(b.set.now(), b.set.leeway):
				return cur, nil
			}
			return nil, fmt.Errorf("%w: %w", ErrNotAuthorized, err)
		}
		if derr := b.forgetOwned(o); derr != nil {
			return nil, errors.Join(fmt.Errorf("%w: %w", ErrNotAuthorized, err), derr)
		}
		return nil, fmt.Errorf("%w: %w", ErrNotAuthorized, err)
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return nil, &ProviderError{Provider: b.name, Op: "refresh", Code: re.ErrorCode}
	}
	return nil, err
}
