package blueprint

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// errLeaseRanOut means the refresh lease had less than ProviderTimeout and
// one store operation left when the provider was to be called: the holder
// was paused or the store was slow, and another instance may have the
// lease by now. No refresh was made.
var errLeaseRanOut = errors.New("gindance: the refresh lease ran out before the provider call; no refresh was made")

// refreshLeased is refreshShared over a LeaseLocker. A holder that finds its
// lease too short to call the provider takes the lease again, once: it then
// reads the token another instance may have refreshed meanwhile.
func (b *Blueprint) refreshLeased(o owner, ll LeaseLocker, old *Token, key string) (recentRefresh, error) {
	res, err := b.refreshUnderLease(o, ll, old, key)
	if errors.Is(err, errLeaseRanOut) {
		res, err = b.refreshUnderLease(o, ll, old, key)
	}
	return res, err
}

// refreshUnderLease takes the lease (waiting up to its length, which bounds
// how long a holder that died can hold it), reads the token through it, and
// refreshes only if no other instance has; all of it runs under one
// deadline, the lease's end less one store operation (for the final
// write), and the provider is called only when ProviderTimeout still fits
// before it. The new token is written through the lease: a write the store
// refuses (another instance stored a token after this lease ended) is not
// forced, and the stored token is used instead.
func (b *Blueprint) refreshUnderLease(o owner, ll LeaseLocker, old *Token, key string) (recentRefresh, error) {
	base := context.WithoutCancel(o.ctx)
	// the wait: the lease of a holder that died or hangs ends within its
	// length; the lease's own write takes one store operation more
	ttl, op := ll.LeaseBudget()
	wait, stopWaiting := context.WithTimeout(base, ttl+op)
	lease, err := b.lockLease(wait, o, ll)
	stopWaiting()
	if err != nil {
		return recentRefresh{}, err
	}
	ctx, cancel := context.WithTimeout(base, b.set.timeout)
	defer cancel()
	held := true // false once handed to keepStoring
	defer func() {
		if held {
			lease.Unlock()
		}
	}()
	// store operations: each bounded by the store's own timeout
	sctx := base
	cur, err := lease.Token(sctx)
	cur, restore := b.restoring(cur, err)
	if res, done, err := b.refreshedElsewhere(o, key, old, cur, err); done && !restore {
		return res, err
	}
	tok := cur // a restored token still fresh is written back as it is
	if !b.restoresAsIs(restore, old, cur) {
		if ends := lease.Ends(); !ends.IsZero() {
			// real time, not Options.Now: the lease ends in the store's time
			callBy := ends.Add(-op)
			if time.Until(callBy) < b.set.timeout {
				return recentRefresh{}, errLeaseRanOut
			}
			var stop context.CancelFunc
			ctx, stop = context.WithDeadline(ctx, callBy)
			defer stop()
		}
		if tok, err = b.callProvider(ctx, cur, key); err != nil {
			return recentRefresh{}, err
		}
	}
	if b.setter != nil {
		return b.refreshed(key, tok, ""), nil // each request writes it through the setter
	}
	switch err := lease.Replace(sctx, tok); {
	case err == nil:
		return b.refreshed(key, tok, b.slotOf(o)), nil
	case errors.Is(err, ErrTokenChanged):
		// this lease ended and another instance stored a token since:
		// that one stays, and is used
		stored, err := b.getShared(sctx, o)
		switch {
		case err != nil:
			return recentRefresh{}, err
		case stored == nil:
			return recentRefresh{}, fmt.Errorf("%w: logged out during refresh", ErrNotAuthorized)
		}
		return b.refreshed(key, stored, b.slotOf(o)), nil
	default:
		// see refreshShared: the answer must not be lost
		b.refreshed(key, tok, "")
		held = false
		go b.keepStoring(func() error { return lease.Replace(sctx, tok) }, lease.Unlock)
		return recentRefresh{}, err
	}
}

// validateLease refuses a refresh lease shorter than one refresh may take
// under it: the lease's write, the token's read, the provider call and the
// token's write. A holder always finds its lease too short, and refreshes
// nothing.
func (b *Blueprint) validateLease() error {
	ll, ok := b.storage.(LeaseLocker)
	if !ok || b.getter != nil {
		return nil
	}
	ttl, op := ll.LeaseBudget()
	if need := b.set.timeout + 3*op; ttl < need {
		return fmt.Errorf("%w: %s: the storage's refresh lease (LockTTL %v) is shorter than one refresh may take under it, %v "+
			"(ProviderTimeout %v, and the lease's write, the token's read and its write, up to the storage's Timeout %v each): "+
			"set storage.Config.LockTTL to at least %v, or lower ProviderTimeout or storage.Config.Timeout",
			ErrConfig, b.name, ttl, need, b.set.timeout, op, need)
	}
	return nil
}
