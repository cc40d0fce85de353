package blueprint

import (
	"context"

	"github.com/gin-gonic/gin"
)

// Storage keeps users' tokens, one per blueprint name. The default is the
// user's session (SessionStorage); storage/sqlstore, storage/redisstore and
// storage/memory keep tokens server-side. Implementations must be safe for
// concurrent use.
type Storage interface {
	Get(c *gin.Context, name string) (*Token, error) // nil, nil when there is none
	Set(c *gin.Context, name string, tok *Token) error
	Delete(c *gin.Context, name string) error
}

// RefreshLocker is implemented by storages shared between several instances
// of an app (a database, Redis). Before refreshing a token the blueprint takes
// the lock for the user's token, re-reads the stored token, and refreshes only
// if it still needs it, so that instances sharing the store refresh a token
// once between them. The lock must expire by itself if its holder dies; unlock
// must release only the lock it took. LockRefresh, Get and Set are then
// called on a copy of the request's context that may outlive the request:
// they must not read its session there (see RefreshSlot).
type RefreshLocker interface {
	LockRefresh(ctx context.Context, c *gin.Context, name string) (unlock func(), err error)
}

// TokenSlotter is implemented by a shared Storage (a RefreshLocker) in which
// every request of one user reads and writes the same stored token, unlike
// SessionStorage, where each browser carries a copy of its own. TokenSlot
// names the slot the request's token for the blueprint name is kept in (for
// storage.Store, the user key), or "" when the request has none: requests
// with the same slot see the same token. After a refresh stored the new
// token in a slot (or found it there, refreshed by another instance), the
// blueprint does not write it again for the requests of that slot that
// raced for the refresh. It is not consulted when TokenGetter or
// TokenSetter replace the storage's own methods.
//
// The shared refresh runs on a copy of the request's context that may
// outlive the request, while the app goes on using the request's session:
// on that copy, RefreshSlot gives the request's slot, taken before the
// refresh started, and a TokenSlotter must use it instead of reading the
// session again (storage.Store does).
type TokenSlotter interface {
	TokenSlot(c *gin.Context, name string) (string, error)
}

// refreshSlotKey keys the slot of the request a shared refresh runs for,
// in the refresh's copy of the request's context.
type refreshSlotKey struct{}

// RefreshSlot returns the slot (TokenSlotter) of the request that started
// the shared refresh running on c, and true, when c is that refresh's copy
// of the request's context; "", false otherwise. A shared Storage's
// LockRefresh, Get and Set find the token by it there, without touching
// the request's session: the refresh may outlive its request, and the
// app's handler may be writing that session meanwhile, a data race on the
// session's map.
func RefreshSlot(c *gin.Context) (string, bool) {
	v, _ := c.Get(refreshSlotKey{})
	slot, ok := v.(string)
	return slot, ok && slot != ""
}

// SessionStorage keeps tokens in the user's gin-contrib/sessions session,
// under a key of the blueprint's name. It is the default Storage.
//
// With a cookie session store the whole token travels in the cookie: a
// token that would push the cookie past 4096 bytes is refused with
// ErrTokenTooLarge and nothing is stored. Use a server-side session store or
// a server-side Storage for large tokens (OpenID Connect id_tokens often are).
type SessionStorage struct {
	// SessionName selects the session when the app installs several with
	// sessions.SessionsMany; empty: the one of sessions.Sessions.
	SessionName string
}

func tokenKey(name string) string { return "gindance:" + name + ":token" }

// Get returns the token stored in the session, or nil, nil.
func (s SessionStorage) Get(c *gin.Context, name string) (*Token, error) {
	sess, err := sessionFor(c, s.SessionName)
	if err != nil {
		return nil, err
	}
	v, ok := sess.Get(tokenKey(name)).(string)
	if !ok || v == "" {
		return nil, nil
	}
	return UnmarshalToken([]byte(v))
}

// Set stores the token in the session and saves the session. On any failure
// the session is left as it was.
func (s SessionStorage) Set(c *gin.Context, name string, tok *Token) error {
	b, err := MarshalToken(tok)
	if err != nil {
		return err
	}
	sess, err := sessionFor(c, s.SessionName)
	if err != nil {
		return err
	}
	return updateSession(c, sess, map[string]any{tokenKey(name): string(b)})
}

// Delete removes the token from the session and saves the session. A
// session without a token is left alone: saving it would send a fresh,
// empty session cookie, which on a request that came without the cookie
// (a cross-site POST, which SameSite=Lax keeps it off) would overwrite the
// user's real session and log them out.
func (s SessionStorage) Delete(c *gin.Context, name string) error {
	sess, err := sessionFor(c, s.SessionName)
	if err != nil {
		return err
	}
	if sess.Get(tokenKey(name)) == nil {
		return nil
	}
	return updateSession(c, sess, map[string]any{tokenKey(name): nil})
}

// UserStorage is implemented by a Storage that keeps tokens server-side by
// user key (storage.Store, and so storage/sqlstore, storage/redisstore and
// storage/memory): the methods that reach a user's token outside any
// request, for ClientFor and TokenSourceFor. name is the blueprint's name;
// userKey is the key the Storage files the user's token under for requests
// (for storage.Store, what its Config.User returns). GetFor returns nil,
// nil when there is none. LockFor takes the same refresh lock the Storage's
// RefreshLocker takes for a request of that user, so that a background job
// and the user's requests refresh a token once between them; when the
// Storage is also a TokenSlotter, its slots must be the user keys.
// Implementations must be safe for concurrent use.
type UserStorage interface {
	GetFor(ctx context.Context, name, userKey string) (*Token, error)
	SetFor(ctx context.Context, name, userKey string, tok *Token) error
	DeleteFor(ctx context.Context, name, userKey string) error
	LockFor(ctx context.Context, name, userKey string) (unlock func(), err error)
}

// UserLeaser is implemented by a UserStorage whose refresh lock is a lease
// (a LeaseLocker and TokenForgetter, as storage.Store is): LockLeaseFor and
// ForgetRefreshedFor are LockLease and ForgetRefreshed by user key, so that
// ClientFor's refresh is fenced as a request's is. A UserStorage that is a
// LeaseLocker but not a UserLeaser is refreshed by ClientFor under LockFor,
// unfenced.
type UserLeaser interface {
	LockLeaseFor(ctx context.Context, name, userKey string) (Lease, error)
	ForgetRefreshedFor(ctx context.Context, name, userKey string, refreshed *Token) (current *Token, err error)
}
