package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-contrib/sessions"
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

// DecodedBackend is implemented by backends that live in the process
// (storage/memory): they can keep each token decoded next to its bytes, so
// that a read needs neither a decode nor a timeout, since nothing can
// block. A Store without a Sealer writes through SaveDecoded and reads
// through LoadDecoded; with a Sealer it uses Save and Load, as for any
// backend.
type DecodedBackend interface {
	Backend
	// SaveDecoded is Save, also keeping dec, the token that data decodes to
	// with blueprint.UnmarshalToken (data is not sealed). dec is the
	// backend's to keep: the Store does not use it again.
	SaveDecoded(ctx context.Context, k Key, data []byte, dec *blueprint.Token) error
	// LoadDecoded returns a clone of the token SaveDecoded kept under k,
	// which the caller may change, and true; nil and true when nothing is
	// stored; false when what is stored came through Save, which Load
	// must read.
	LoadDecoded(k Key) (*blueprint.Token, bool)
}

// Locker is implemented by backends shared between processes. Lock takes an
// exclusive lock for k, waiting no longer than ctx allows; the lock must be
// released by unlock or, if the holder dies or hangs, after ttl at the
// latest. unlock releases only the lock it took. Backends that are not
// Lockers get a lock local to the process.
type Locker interface {
	Lock(ctx context.Context, k Key, ttl time.Duration) (unlock func(), err error)
}

// CheckedLocker is a Locker that can tell whether a lock it gave is still
// held: a database lock dies with its connection, which the server may
// kill while the holder lives on. LockChecked is Lock, and held returns an
// error once the lock is gone. The Store checks it after writing its lease
// (see lockShared), which closes the moment between taking a lock and
// writing the lease in which a lost lock could let two holders in.
type CheckedLocker interface {
	Locker
	LockChecked(ctx context.Context, k Key, ttl time.Duration) (unlock func(), held func(context.Context) error, err error)
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

// Store is a blueprint.Storage, blueprint.RefreshLocker,
// blueprint.TokenSlotter and blueprint.UserStorage (for ClientFor) over a
// Backend:
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
	_ blueprint.TokenSlotter  = (*Store)(nil)
	_ blueprint.UserStorage   = (*Store)(nil)
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
// ErrUserRequired. On the context of a shared refresh it is the slot the
// refresh was started for (blueprint.RefreshSlot), without reading the
// session or calling User.
func (s *Store) UserKey(c *gin.Context, create bool) (string, error) {
	if slot, ok := blueprint.RefreshSlot(c); ok {
		return slot, nil
	}
	if s.cfg.User != nil {
		id, err := s.user(c)
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

// user calls Config.User. A user function that reads the session
// (sessions.Default) panics when the app forgot the sessions.Sessions
// middleware: that panic becomes blueprint.ErrNoSession, the error the
// default session storage gives in the same case, instead of an empty 500.
// Any other panic goes on.
func (s *Store) user(c *gin.Context) (id string, err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := c.Get(sessions.DefaultKey); ok {
				panic(r)
			}
			id, err = "", fmt.Errorf("%w (the user function panicked: %v)", blueprint.ErrNoSession, r)
		}
	}()
	return s.cfg.User(c)
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

// Get returns the request's user's token for the provider name, or nil, nil,
// also when the request has no user: a visitor the app has not logged in
// is not logged in with the provider either (Require sends them to the
// login).
func (s *Store) Get(c *gin.Context, name string) (*blueprint.Token, error) {
	user, err := s.UserKey(c, false)
	if errors.Is(err, ErrUserRequired) {
		return nil, nil
	}
	if err != nil || user == "" {
		return nil, err
	}
	k := Key{Provider: name, User: user}
	if tok, ok := s.loadDecoded(k); ok {
		return tok, nil // before requestContext, which allocates
	}
	return s.load(requestContext(c), k)
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

// Delete forgets the request's user's token for the provider name; a
// request without a user has none to forget.
func (s *Store) Delete(c *gin.Context, name string) error {
	user, err := s.UserKey(c, false)
	if errors.Is(err, ErrUserRequired) {
		return nil
	}
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
	if tok, ok := s.loadDecoded(k); ok {
		return tok, nil
	}
	return s.load(ctx, k)
}

// load reads k's bytes from the backend, within Config.Timeout, and decodes
// them.
func (s *Store) load(ctx context.Context, k Key) (*blueprint.Token, error) {
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

// loadDecoded reads k through a DecodedBackend when the Store may: false
// when it may not, or when what is stored must be read through Load.
func (s *Store) loadDecoded(k Key) (*blueprint.Token, bool) {
	if db, ok := s.backend.(DecodedBackend); ok && s.cfg.Sealer == nil {
		return db.LoadDecoded(k)
	}
	return nil, false
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
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if db, ok := s.backend.(DecodedBackend); ok && s.cfg.Sealer == nil {
		// What is read back is what a decode of data gives, exactly as from
		// any other backend (Extra's numbers as float64, and so on).
		dec, err := blueprint.UnmarshalToken(data)
		if err != nil {
			return err
		}
		return Unavailable("set", db.SaveDecoded(ctx, k, data, dec))
	}
	if s.cfg.Sealer != nil {
		if data, err = s.cfg.Sealer.Seal(data, k); err != nil {
			return err
		}
	}
	return Unavailable("set", s.backend.Save(ctx, k, data, tok))
}

// DeleteFor forgets the token of provider and user key.
func (s *Store) DeleteFor(ctx context.Context, provider, user string) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	return Unavailable("delete", s.backend.Remove(ctx, Key{Provider: provider, User: user}))
}

// TokenSlot returns the request's user key, "" for an anonymous visitor
// without a browser id yet: requests with one user key share one stored
// token per provider, so a token refreshed and stored for one of them needs
// no second write for the others (blueprint.TokenSlotter).
func (s *Store) TokenSlot(c *gin.Context, _ string) (string, error) { return s.UserKey(c, false) }

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
	unlock, _, err := s.lockFor(ctx, Key{Provider: provider, User: user})
	return unlock, err
}

// lockFor takes the refresh lock of k and returns when its lease ends (the
// zero time for a lock local to the process, which has none).
func (s *Store) lockFor(ctx context.Context, k Key) (func(), time.Time, error) {
	if l, ok := s.backend.(Locker); ok {
		return s.lockShared(ctx, l, k)
	}
	unlock, err := s.local.Lock(ctx, k.Provider+"\x00"+k.User)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("gindance/storage: waiting for the refresh lock: %w", err)
	}
	return unlock, time.Time{}, nil
}

// leaseKey is where the refresh lease of k is kept: beside the tokens, under
// a provider name no blueprint has.
func leaseKey(k Key) Key { return Key{Provider: "\x01lease:" + k.Provider, User: k.User} }

// lockShared takes the backend's lock for k and, under it, a lease written in
// the backend's data: "held by id until t". A database lock lives as long as
// its connection, and a server that kills the connection (a failover, an
// administrator, an idle timeout) frees the lock while its holder, still
// alive, goes on refreshing; the next taker would refresh a second time with
// the same refresh token. The lease outlives the connection: a taker that
// finds an unexpired lease of another holder lets the lock go and waits for
// the lease to end (unlock removes it; a holder that died leaves it to
// expire after LockTTL). It returns when the lease ends: LockTTL after the
// lease was written, which with the check that the lock is still held takes
// one Config.Timeout at most.
func (s *Store) lockShared(ctx context.Context, l Locker, k Key) (func(), time.Time, error) {
	lk := leaseKey(k)
	idb := make([]byte, 12)
	rand.Read(idb)
	id := hex.EncodeToString(idb)
	wait := 5 * time.Millisecond
	checked, _ := l.(CheckedLocker)
	for {
		var unlock func()
		held := func(context.Context) error { return nil }
		var err error
		if checked != nil {
			unlock, held, err = checked.LockChecked(ctx, k, s.cfg.LockTTL)
		} else {
			unlock, err = l.Lock(ctx, k, s.cfg.LockTTL)
		}
		if err != nil {
			return nil, time.Time{}, Unavailable("lock", err)
		}
		holder, err := s.lease(ctx, lk)
		if err == nil && holder == "" {
			until := time.Now().Add(s.cfg.LockTTL)
			var lost error
			// the lease's write and the check that the lock is still held
			// share one Config.Timeout (see blueprint.LeaseLocker)
			err = s.op(ctx, func(ctx context.Context) error {
				if err := s.backend.Save(ctx, lk, []byte(strconv.FormatInt(until.UnixNano(), 10)+" "+id), nil); err != nil {
					return err
				}
				lost = held(ctx)
				return nil
			})
			if err == nil {
				if lost == nil {
					var once sync.Once
					return func() { once.Do(func() { s.endLease(lk, id); unlock() }) }, until, nil
				}
				// The lock was lost before the lease was written: another
				// holder may have found no lease. Start over.
				s.endLease(lk, id)
			}
		}
		unlock()
		if err != nil {
			return nil, time.Time{}, Unavailable("lock", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, time.Time{}, Unavailable("lock", fmt.Errorf("waiting for the refresh lease of another instance: %w", ctx.Err()))
		case <-t.C:
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// lease returns the holder id of the unexpired lease at lk, or "".
func (s *Store) lease(ctx context.Context, lk Key) (string, error) {
	var data []byte
	err := s.op(ctx, func(ctx context.Context) (err error) {
		data, err = s.backend.Load(ctx, lk)
		return err
	})
	if err != nil || data == nil {
		return "", err
	}
	until, holder, ok := strings.Cut(string(data), " ")
	ns, perr := strconv.ParseInt(until, 10, 64)
	if !ok || perr != nil || time.Now().UnixNano() >= ns {
		return "", nil // expired or unreadable: free
	}
	return holder, nil
}

// endLease removes the lease at lk if it is still id's: a holder that
// outlived its lease must not end the next holder's.
func (s *Store) endLease(lk Key, id string) {
	ctx := context.Background()
	if holder, err := s.lease(ctx, lk); err == nil && holder == id {
		_ = s.op(ctx, func(ctx context.Context) error { return s.backend.Remove(ctx, lk) })
	} // on failure the lease expires after LockTTL
}

// op runs one backend operation bounded by Config.Timeout.
func (s *Store) op(ctx context.Context, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	return fn(ctx)
}
