package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage/internal/keylock"
)

// UserFunc returns the app's user id for a request, or "" when the request
// has no logged-in user. An error ends the store operation with that error.
type UserFunc func(c *gin.Context) (string, error)

// AnonymousPrefix starts the user key of an anonymous visitor's token:
// "anonymous:" followed by the browser id. App user ids should not start
// with it.
const AnonymousPrefix = "anonymous:"

// DefaultTimeout bounds each backend operation when Config.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// DefaultLockTTL bounds how long a refresh lock is held when Config.LockTTL
// is zero: a holder that dies or hangs does not block refreshes for longer.
const DefaultLockTTL = 30 * time.Second

// Key names one stored token: the provider (the blueprint's name) and the
// user key (the app's user id, or AnonymousPrefix plus a browser id).
type Key struct {
	Provider string
	User     string
}

// Backend keeps stored tokens as bytes. It is what a new kind of store
// implements; New turns it into a blueprint.Storage. Methods must be safe
// for concurrent use, and Save must replace a value atomically (readers see
// the old or the new bytes, never a mix or nothing).
type Backend interface {
	// Load returns the bytes stored under k, or nil, nil.
	Load(ctx context.Context, k Key) ([]byte, error)
	// Save stores data under k, replacing what was there. tok is the token
	// data encodes (possibly sealed), for backends that expire entries.
	Save(ctx context.Context, k Key, data []byte, tok *blueprint.Token) error
	// Remove deletes what is stored under k; nothing stored is no error.
	Remove(ctx context.Context, k Key) error
}

// Locker is implemented by backends shared between processes. Lock takes an
// exclusive lock for k, waiting no longer than ctx allows; the lock must be
// released by unlock or, if the holder dies or hangs, after ttl at the
// latest. unlock releases only the lock it took. Backends that are not
// Lockers get a lock local to the process.
type Locker interface {
	Lock(ctx context.Context, k Key, ttl time.Duration) (unlock func(), err error)
}

// Sealer encrypts tokens at rest (see storage/encrypt). Both methods get the
// token's key, which a Sealer authenticates as associated data: bytes sealed
// for one user or provider do not open for another.
type Sealer interface {
	Seal(plaintext []byte, k Key) ([]byte, error)
	Open(sealed []byte, k Key) ([]byte, error)
}

// Config is what a Store needs besides its Backend.
type Config struct {
	// User returns the app's user id for the request. nil: every request is
	// without a user (which needs Anonymous).
	User UserFunc
	// Anonymous keys the token of a request without a user to a random
	// per-browser id kept in the session, instead of refusing it with
	// ErrUserRequired.
	Anonymous bool
	// SessionName selects the session holding the browser id when the app
	// uses sessions.SessionsMany.
	SessionName string
	// Sealer, when set, encrypts every token before it reaches the backend.
	// nil: tokens are stored as blueprint.MarshalToken's JSON.
	Sealer Sealer
	// Timeout bounds each backend operation. Default DefaultTimeout.
	// Operations run on a context detached from the request's cancellation
	// (a refreshed token must be stored even if the browser went away), so
	// this is what limits them.
	Timeout time.Duration
	// LockTTL bounds how long a refresh lock is held. Default
	// DefaultLockTTL.
	LockTTL time.Duration
}

// Store is a blueprint.Storage and blueprint.RefreshLocker over a Backend:
// it finds the user key for each request, seals and unseals tokens, and
// reports backend failures as ErrStoreUnavailable. It is safe for
// concurrent use.
type Store struct {
	backend Backend
	cfg     Config
	local   keylock.Set
}

var (
	_ blueprint.Storage       = (*Store)(nil)
	_ blueprint.RefreshLocker = (*Store)(nil)
)

// New returns a Store keeping tokens in b.
func New(b Backend, cfg Config) *Store {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.LockTTL <= 0 {
		cfg.LockTTL = DefaultLockTTL
	}
	return &Store{backend: b, cfg: cfg}
}

// Backend returns the store's backend.
func (s *Store) Backend() Backend { return s.backend }

// UserKey returns the user key the request's tokens are stored under: the
// app's user id, or in anonymous mode AnonymousPrefix plus the browser id.
// With create false an anonymous visitor without a browser id yet gets "",
// nil. Without a user and without anonymous mode it fails with
// ErrUserRequired.
func (s *Store) UserKey(c *gin.Context, create bool) (string, error) {
	if s.cfg.User != nil {
		id, err := s.cfg.User(c)
		if err != nil {
			return "", fmt.Errorf("gindance/storage: user function: %w", err)
		}
		if id != "" {
			return id, nil
		}
	}
	if !s.cfg.Anonymous {
		return "", ErrUserRequired
	}
	bid, err := blueprint.BrowserID(c, s.cfg.SessionName, create)
	if err != nil || bid == "" {
		return "", err
	}
	return AnonymousPrefix + bid, nil
}

// requestContext is the request's context without its cancellation: a
// token refreshed for a browser that went away must still be stored. Each
// operation is bounded by Config.Timeout instead.
func requestContext(c *gin.Context) context.Context {
	if c != nil && c.Request != nil {
		return context.WithoutCancel(c.Request.Context())
	}
	return context.Background()
}

// Get returns the request's user's token for the provider name, or nil, nil.
func (s *Store) Get(c *gin.Context, name string) (*blueprint.Token, error) {
	user, err := s.UserKey(c, false)
	if err != nil || user == "" {
		return nil, err
	}
	return s.GetFor(requestContext(c), name, user)
}

// Set stores the request's user's token for the provider name, replacing
// theirs. An anonymous visitor gets a browser id first.
func (s *Store) Set(c *gin.Context, name string, tok *blueprint.Token) error {
	user, err := s.UserKey(c, true)
	if err != nil {
		return err
	}
	return s.SetFor(requestContext(c), name, user, tok)
}

// Delete forgets the request's user's token for the provider name.
func (s *Store) Delete(c *gin.Context, name string) error {
	user, err := s.UserKey(c, false)
	if err != nil || user == "" {
		return err
	}
	return s.DeleteFor(requestContext(c), name, user)
}

// GetFor returns the token stored for provider and user key, or nil, nil:
// for background jobs, admin pages and tests, outside of a request. Like
// every operation it is bounded by Config.Timeout.
func (s *Store) GetFor(ctx context.Context, provider, user string) (*blueprint.Token, error) {
	k := Key{Provider: provider, User: user}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	data, err := s.backend.Load(ctx, k)
	if err != nil {
		return nil, Unavailable("get", err)
	}
	if data == nil {
		return nil, nil
	}
	if s.cfg.Sealer != nil {
		if data, err = s.cfg.Sealer.Open(data, k); err != nil {
			return nil, err
		}
	}
	return blueprint.UnmarshalToken(data)
}

// SetFor stores tok for provider and user key, replacing what was there.
func (s *Store) SetFor(ctx context.Context, provider, user string, tok *blueprint.Token) error {
	if tok == nil {
		return errors.New("gindance/storage: nil token")
	}
	if user == "" {
		return ErrUserRequired
	}
	k := Key{Provider: provider, User: user}
	data, err := blueprint.MarshalToken(tok)
	if err != nil {
		return err
	}
	if s.cfg.Sealer != nil {
		if data, err = s.cfg.Sealer.Seal(data, k); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	return Unavailable("set", s.backend.Save(ctx, k, data, tok))
}

// DeleteFor forgets the token of provider and user key.
func (s *Store) DeleteFor(ctx context.Context, provider, user string) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	return Unavailable("delete", s.backend.Remove(ctx, Key{Provider: provider, User: user}))
}

// LockRefresh takes the refresh lock of the request's user's token for the
// provider name: the backend's lock when it is a Locker (shared by every
// instance using the same database or Redis), else one local to the
// process. Waiting is bounded by ctx; holding by Config.LockTTL.
func (s *Store) LockRefresh(ctx context.Context, c *gin.Context, name string) (func(), error) {
	user, err := s.UserKey(c, false)
	if err != nil {
		return nil, err
	}
	if user == "" {
		return nil, fmt.Errorf("%w: no browser id", blueprint.ErrNotAuthorized)
	}
	return s.LockFor(ctx, name, user)
}

// LockFor takes the refresh lock of provider and user key; see LockRefresh.
func (s *Store) LockFor(ctx context.Context, provider, user string) (func(), error) {
	k := Key{Provider: provider, User: user}
	if l, ok := s.backend.(Locker); ok {
		unlock, err := l.Lock(ctx, k, s.cfg.LockTTL)
		if err != nil {
			return nil, Unavailable("lock", err)
		}
		return unlock, nil
	}
	unlock, err := s.local.Lock(ctx, k.Provider+"\x00"+k.User)
	if err != nil {
		return nil, fmt.Errorf("gindance/storage: waiting for the refresh lock: %w", err)
	}
	return unlock, nil
}
