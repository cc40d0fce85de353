package blueprint

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"
)

// LeaseLocker is implemented by a shared Storage whose refresh lock is a
// lease: it ends at a fixed time even when its holder lives on (paused by
// the operating system, a garbage collection, a slow network), and another
// instance may then take it (storage.Store). The blueprint refreshes under a
// Lease instead of LockRefresh: it reads the token through the lease, calls
// the provider only while the lease has at least ProviderTimeout and one
// store operation left, and writes the new token through the lease, which
// stores it only if the store still holds the token read (fencing): a
// holder that outlived its lease cannot overwrite a newer token.
type LeaseLocker interface {
	RefreshLocker
	// LockLease takes the refresh lease of the request's user's token for
	// the blueprint name, waiting no longer than ctx allows.
	LockLease(ctx context.Context, c *gin.Context, name string) (Lease, error)
	// LeaseBudget returns the lease's length and the longest one store
	// operation under it may take. Validate refuses a lease shorter than a
	// refresh may take: ProviderTimeout plus three store operations (the
	// lease's own write, the token's read and its write).
	LeaseBudget() (ttl, op time.Duration)
}

// Lease is a refresh lease on one stored token (see LeaseLocker).
type Lease interface {
	// Ends is when the lease ends; the zero time when it lasts until
	// Unlock (a lock local to the process).
	Ends() time.Time
	// Token reads the stored token (nil when there is none); writes
	// through the lease are conditional on what it read.
	Token(ctx context.Context) (*Token, error)
	// Replace stores tok if the store still holds the token Token read,
	// and then expects tok. Otherwise it stores nothing and returns an
	// error wrapping ErrTokenChanged.
	Replace(ctx context.Context, tok *Token) error
	// Unlock ends the lease; only the first call does anything.
	Unlock()
}

// TokenForgetter is implemented by a shared Storage that can forget a token
// on the condition that it is still the one stored (storage.Store). After
// the provider refused a refresh with invalid_grant, the blueprint forgets
// the token through it: another instance may have stored a newer token
// since, which must stay.
type TokenForgetter interface {
	// ForgetRefreshed deletes the request's user's token for the
	// blueprint name if its refresh token is refreshed's. Otherwise it
	// deletes nothing and returns the token stored now (nil when none).
	ForgetRefreshed(c *gin.Context, name string, refreshed *Token) (current *Token, err error)
}
