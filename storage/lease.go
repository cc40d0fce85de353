package storage

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

// ConditionalBackend is implemented by backends that can make a write
// depend on what is stored, atomically: compare-and-set on the stored
// bytes. The Store fences the writes of a refresh with it: a holder of the
// refresh lease that outlived it (paused past LockTTL while another
// instance took the lease and stored a newer token) writes nothing, and a
// token the provider refused (invalid_grant) is forgotten only while it is
// still the one stored. Every built-in shared backend implements it;
// storagetest.Run checks it.
//
// A Locker that is not a ConditionalBackend gets the same checks made as a
// read followed by a write, which another instance can slip between: such a
// backend is not fenced.
type ConditionalBackend interface {
	Backend
	// SaveIf is Save made only if the bytes stored under k are old, byte
	// for byte (old is never nil); it reports whether it wrote.
	SaveIf(ctx context.Context, k Key, old, data []byte, tok *blueprint.Token) (bool, error)
	// RemoveIf is Remove made only if the bytes stored under k are old; it
	// reports whether it deleted.
	RemoveIf(ctx context.Context, k Key, old []byte) (bool, error)
}

var (
	_ blueprint.LeaseLocker    = (*Store)(nil)
	_ blueprint.TokenForgetter = (*Store)(nil)
	_ blueprint.UserLeaser     = (*Store)(nil)
)

// LeaseBudget returns Config.LockTTL and Config.Timeout (see
// blueprint.LeaseLocker).
func (s *Store) LeaseBudget() (ttl, op time.Duration) { return s.cfg.LockTTL, s.cfg.Timeout }

// LockLease takes the refresh lease of the request's user's token for the
// provider name (see LockRefresh): a blueprint.Lease whose token writes are
// conditional on the token it read.
func (s *Store) LockLease(ctx context.Context, c *gin.Context, name string) (blueprint.Lease, error) {
	user, err := s.UserKey(c, false)
	if err != nil {
		return nil, err
	}
	if user == "" {
		return nil, fmt.Errorf("%w: no browser id", blueprint.ErrNotAuthorized)
	}
	return s.LeaseFor(ctx, name, user)
}

// LockLeaseFor is LeaseFor as a blueprint.Lease (blueprint.UserLeaser):
// ClientFor's refresh takes the lease by user key.
func (s *Store) LockLeaseFor(ctx context.Context, provider, user string) (blueprint.Lease, error) {
	l, err := s.LeaseFor(ctx, provider, user)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// LeaseFor takes the refresh lease of provider and user key; see LockLease.
func (s *Store) LeaseFor(ctx context.Context, provider, user string) (*Lease, error) {
	k := Key{Provider: provider, User: user}
	unlock, ends, err := s.lockFor(ctx, k)
	if err != nil {
		return nil, err
	}
	return &Lease{s: s, k: k, ends: ends, unlock: unlock}, nil
}

// Lease is a refresh lease on one stored token (blueprint.Lease): Token
// reads the stored bytes, and Replace writes only if they are still what
// was read.
type Lease struct {
	s      *Store
	k      Key
	ends   time.Time
	unlock func()

	mu   sync.Mutex
	read []byte // the stored bytes last read or written through the lease
}

// Ends is when the lease ends (LockTTL after it was written); the zero time
// for a lock local to the process.
func (l *Lease) Ends() time.Time { return l.ends }

// Unlock ends the lease.
func (l *Lease) Unlock() { l.unlock() }

// Token reads the stored token, within Config.Timeout, and remembers its
// bytes for Replace.
func (l *Lease) Token(ctx context.Context) (*blueprint.Token, error) {
	data, tok, err := l.s.loadBytes(ctx, l.k)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.read = data
	l.mu.Unlock()
	return tok, nil
}

// Replace stores tok if the store still holds the bytes Token read (see
// blueprint.Lease); a failed write can be retried.
func (l *Lease) Replace(ctx context.Context, tok *blueprint.Token) error {
	if tok == nil {
		return fmt.Errorf("gindance/storage: nil token")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.read == nil {
		return fmt.Errorf("%w: no token was stored when the lease read it", blueprint.ErrTokenChanged)
	}
	data, err := l.s.encode(l.k, tok)
	if err != nil {
		return err
	}
	ok, err := l.s.saveIf(ctx, l.k, l.read, data, tok)
	if err != nil {
		return err
	}
	if !ok {
		return blueprint.ErrTokenChanged
	}
	l.read = data
	return nil
}

// ForgetRefreshed deletes the request's user's token for the provider name
// if its refresh token is refreshed's (blueprint.TokenForgetter);
// otherwise it returns the token stored now.
func (s *Store) ForgetRefreshed(c *gin.Context, name string, refreshed *blueprint.Token) (*blueprint.Token, error) {
	user, err := s.UserKey(c, false)
	if err != nil || user == "" {
		return nil, err
	}
	return s.ForgetRefreshedFor(requestContext(c), name, user, refreshed)
}

// ForgetRefreshedFor is ForgetRefreshed for provider and user key.
func (s *Store) ForgetRefreshedFor(ctx context.Context, provider, user string, refreshed *blueprint.Token) (*blueprint.Token, error) {
	k := Key{Provider: provider, User: user}
	for range 3 { // a concurrent write between the read and the delete: look again
		data, cur, err := s.loadBytes(ctx, k)
		if err != nil || cur == nil {
			return nil, err
		}
		if refreshed == nil || cur.RefreshToken != refreshed.RefreshToken {
			return cur, nil
		}
		ok, err := s.removeIf(ctx, k, data)
		if err != nil || ok {
			return nil, err
		}
	}
	return s.GetFor(ctx, provider, user)
}

// loadBytes reads k's stored bytes and the token they hold, within
// Config.Timeout.
func (s *Store) loadBytes(ctx context.Context, k Key) ([]byte, *blueprint.Token, error) {
	var data []byte
	err := s.op(ctx, func(ctx context.Context) (err error) {
		data, err = s.backend.Load(ctx, k)
		return err
	})
	if err != nil {
		return nil, nil, Unavailable("get", err)
	}
	if data == nil {
		return nil, nil, nil
	}
	plain := data
	if s.cfg.Sealer != nil {
		if plain, err = s.cfg.Sealer.Open(data, k); err != nil {
			return nil, nil, err
		}
	}
	tok, err := blueprint.UnmarshalToken(plain)
	return data, tok, err
}

// encode returns the bytes tok is stored as under k: its JSON, sealed when
// the Store has a Sealer.
func (s *Store) encode(k Key, tok *blueprint.Token) ([]byte, error) {
	data, err := blueprint.MarshalToken(tok)
	if err != nil || s.cfg.Sealer == nil {
		return data, err
	}
	return s.cfg.Sealer.Seal(data, k)
}

// saveIf writes data under k if old is stored, through the backend's
// SaveIf, or else as a read and a write.
func (s *Store) saveIf(ctx context.Context, k Key, old, data []byte, tok *blueprint.Token) (ok bool, err error) {
	err = s.op(ctx, func(ctx context.Context) error {
		if cb, is := s.backend.(ConditionalBackend); is {
			ok, err = cb.SaveIf(ctx, k, old, data, tok)
			return err
		}
		cur, err := s.backend.Load(ctx, k)
		if err != nil || !bytes.Equal(cur, old) {
			return err
		}
		ok = true
		return s.backend.Save(ctx, k, data, tok)
	})
	return ok, Unavailable("set", err)
}

// removeIf deletes k if old is stored, through the backend's RemoveIf, or
// else as a read and a delete.
func (s *Store) removeIf(ctx context.Context, k Key, old []byte) (ok bool, err error) {
	err = s.op(ctx, func(ctx context.Context) error {
		if cb, is := s.backend.(ConditionalBackend); is {
			ok, err = cb.RemoveIf(ctx, k, old)
			return err
		}
		cur, err := s.backend.Load(ctx, k)
		if err != nil || !bytes.Equal(cur, old) {
			return err
		}
		ok = true
		return s.backend.Remove(ctx, k)
	})
	return ok, Unavailable("delete", err)
}
