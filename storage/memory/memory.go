package memory

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/internal/keylock"
)

var (
	_ storage.DecodedBackend     = (*Backend)(nil)
	_ storage.ConditionalBackend = (*Backend)(nil)
)

// Backend is a storage.Backend, storage.Locker and storage.SessionBackend
// in a map. The zero value is ready. Several Stores over one Backend share
// its tokens and its refresh locks.
type Backend struct {
	mu    sync.RWMutex
	m     map[storage.Key]entry
	locks keylock.Set
}

// entry is one stored token and the session it belongs to; dec is the
// token decoded, when it came through SaveDecoded.
type entry struct {
	data []byte
	dec  *blueprint.Token
	refs storage.SessionRefs
}

// New returns a token store in memory, with cfg's user function, anonymous
// mode and sealer.
func New(cfg storage.Config) *storage.Store { return storage.New(&Backend{}, cfg) }

// Load returns a copy of the bytes stored under k, or nil, nil.
func (b *Backend) Load(_ context.Context, k storage.Key) ([]byte, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	e, ok := b.m[k]
	if !ok {
		return nil, nil
	}
	return append([]byte(nil), e.data...), nil
}

// Save stores a copy of data under k, indexed by tok's session.
func (b *Backend) Save(_ context.Context, k storage.Key, data []byte, tok *blueprint.Token) error {
	b.put(k, entry{data: append([]byte(nil), data...), refs: storage.RefsOf(tok)})
	return nil
}

// SaveDecoded is Save, also keeping dec for LoadDecoded.
func (b *Backend) SaveDecoded(_ context.Context, k storage.Key, data []byte, dec *blueprint.Token) error {
	b.put(k, entry{data: append([]byte(nil), data...), dec: dec, refs: storage.RefsOf(dec)})
	return nil
}

// LoadDecoded returns a clone of the token SaveDecoded kept under k.
func (b *Backend) LoadDecoded(k storage.Key) (*blueprint.Token, bool) {
	b.mu.RLock()
	e, ok := b.m[k]
	b.mu.RUnlock()
	switch {
	case !ok:
		return nil, true
	case e.dec == nil:
		return nil, false
	}
	return e.dec.Clone(), true
}

func (b *Backend) put(k storage.Key, e entry) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = make(map[storage.Key]entry)
	}
	b.m[k] = e
}

// RemoveSession deletes the tokens of provider whose session reference is
// ref.
func (b *Backend) RemoveSession(_ context.Context, provider, ref string) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for k, e := range b.m {
		if k.Provider == provider && ref != "" && (e.refs.SID == ref || e.refs.Sub == ref) {
			delete(b.m, k)
			n++
		}
	}
	return n, nil
}

// Remove deletes what is stored under k.
func (b *Backend) Remove(_ context.Context, k storage.Key) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, k)
	return nil
}

// SaveIf stores a copy of data under k if the bytes stored there are old.
// Unsealed data is also kept decoded for LoadDecoded, as SaveDecoded does
// (sealed data does not decode, and a Store with a Sealer reads with Load).
func (b *Backend) SaveIf(_ context.Context, k storage.Key, old, data []byte, tok *blueprint.Token) (bool, error) {
	dec, err := blueprint.UnmarshalToken(data)
	if err != nil {
		dec = nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.m[k]; !ok || !bytes.Equal(e.data, old) {
		return false, nil
	}
	b.m[k] = entry{data: append([]byte(nil), data...), dec: dec, refs: storage.RefsOf(tok)}
	return true, nil
}

// RemoveIf deletes what is stored under k if it is old.
func (b *Backend) RemoveIf(_ context.Context, k storage.Key, old []byte) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.m[k]; !ok || !bytes.Equal(e.data, old) {
		return false, nil
	}
	delete(b.m, k)
	return true, nil
}

// Len returns how many tokens are stored.
func (b *Backend) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.m)
}

// Lock takes the refresh lock for k, waiting until ctx is done. The lock
// lives in this process: it dies with it, so ttl is not needed.
func (b *Backend) Lock(ctx context.Context, k storage.Key, _ time.Duration) (func(), error) {
	return b.locks.Lock(ctx, k.Provider+"\x00"+k.User)
}
