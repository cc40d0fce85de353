package blueprint

import (
	"context"
	"fmt"

	"github.com/gin-gonic/gin"
)

// owner is whose token a refresh is for: the user of a request (c set),
// whose token the getter, setter and deleter or the Storage find through
// the request; or, outside any request (ClientFor), a user key of a
// UserStorage.
type owner struct {
	c    *gin.Context
	ctx  context.Context // the caller's: the request's, or ClientFor's
	user string          // the user key, when c is nil
	us   UserStorage     // when c is nil
}

func requestOwner(c *gin.Context) owner { return owner{c: c, ctx: c.Request.Context()} }

// detach is o for a refresh shared with other callers, which may outlive
// o's request (see refreshContext).
func (b *Blueprint) detach(o owner) owner {
	if o.c != nil {
		o.c = b.refreshContext(o.c)
	}
	return o
}

// storeCtx is the context a refreshed token is stored in: the caller's
// without its cancellation (a token the provider rotated must not be lost
// because the caller went away); the store bounds each operation.
func (o owner) storeCtx() context.Context { return context.WithoutCancel(o.ctx) }

// userStorage is the blueprint's Storage as a UserStorage, or
// ErrNoUserStorage.
func (b *Blueprint) userStorage() (UserStorage, error) {
	if b.getter != nil || b.setter != nil || b.deleter != nil {
		return nil, fmt.Errorf("%w: TokenGetter, TokenSetter or TokenDeleter stand in for the storage, and they need a request", ErrNoUserStorage)
	}
	us, ok := b.storage.(UserStorage)
	if !ok {
		return nil, fmt.Errorf("%w: %T is not a blueprint.UserStorage", ErrNoUserStorage, b.storage)
	}
	return us, nil
}

// sharesRefresh reports whether o's refresh takes the store's refresh lock
// and re-reads the token under it: a store shared between instances, read
// through its own methods.
func (b *Blueprint) sharesRefresh(o owner) bool {
	if o.c == nil {
		return true
	}
	_, ok := b.storage.(RefreshLocker)
	return ok && b.getter == nil
}

// lockRefresh takes the store's refresh lock of o's token.
func (b *Blueprint) lockRefresh(ctx context.Context, o owner) (func(), error) {
	if o.c == nil {
		return o.us.LockFor(ctx, b.name, o.user)
	}
	return b.storage.(RefreshLocker).LockRefresh(ctx, o.c, b.name)
}

// getShared reads o's token from the store itself (not the getter).
func (b *Blueprint) getShared(ctx context.Context, o owner) (*Token, error) {
	if o.c == nil {
		return o.us.GetFor(ctx, b.name, o.user)
	}
	return b.storage.Get(o.c, b.name)
}

// setShared writes o's token to the store itself (not the setter).
func (b *Blueprint) setShared(o owner, tok *Token) error {
	if o.c == nil {
		return o.us.SetFor(o.storeCtx(), b.name, o.user, tok)
	}
	return b.storage.Set(o.c, b.name, tok)
}

// storeOwned stores o's refreshed token through the setter or the storage.
// The request's memo is its caller's to update.
func (b *Blueprint) storeOwned(o owner, tok *Token) error {
	if o.c == nil {
		return o.us.SetFor(o.storeCtx(), b.name, o.user, tok)
	}
	return b.putToken(o.c, tok)
}

// forgetOwned forgets o's token through the deleter or the storage.
func (b *Blueprint) forgetOwned(o owner) error {
	if o.c == nil {
		return o.us.DeleteFor(o.storeCtx(), b.name, o.user)
	}
	return b.dropToken(o.c)
}

// slotOf is o's slot in a shared store (see TokenSlotter), or "".
func (b *Blueprint) slotOf(o owner) string {
	if o.c != nil {
		return b.tokenSlot(o.c)
	}
	if _, ok := b.storage.(TokenSlotter); ok {
		return o.user
	}
	return ""
}

// leaseLocker is the storage as a LeaseLocker when o's refresh runs under
// its lease: read through the storage itself and, outside a request, by a
// UserLeaser.
func (b *Blueprint) leaseLocker(o owner) (LeaseLocker, bool) {
	ll, ok := b.storage.(LeaseLocker)
	if !ok || b.getter != nil {
		return nil, false
	}
	if o.c == nil {
		if _, ok := o.us.(UserLeaser); !ok {
			return nil, false
		}
	}
	return ll, true
}

// lockLease takes the refresh lease of o's token.
func (b *Blueprint) lockLease(ctx context.Context, o owner, ll LeaseLocker) (Lease, error) {
	if o.c == nil {
		return o.us.(UserLeaser).LockLeaseFor(ctx, b.name, o.user)
	}
	return ll.LockLease(ctx, o.c, b.name)
}

// forgetter returns what forgets o's token after invalid_grant only while
// it is still the one stored (TokenForgetter, UserLeaser), or false.
func (b *Blueprint) forgetter(o owner) (func(old *Token) (*Token, error), bool) {
	if o.c == nil {
		ul, ok := o.us.(UserLeaser)
		if !ok {
			return nil, false
		}
		return func(old *Token) (*Token, error) { return ul.ForgetRefreshedFor(o.storeCtx(), b.name, o.user, old) }, true
	}
	f, ok := b.storage.(TokenForgetter)
	if !ok || b.getter != nil || b.deleter != nil {
		return nil, false
	}
	return func(old *Token) (*Token, error) { return f.ForgetRefreshed(o.c, b.name, old) }, true
}
