package memory

import (
	"context"
	"sync"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/internal/keylock"
)

// Backend is a storage.Backend and storage.Locker in a map. The zero value
// is ready. Several Stores over one Backend share its tokens and its
// refresh locks.
type Backend struct {
	mu    sync.RWMutex
	m     map[storage.Key][]byte
	locks keylock.Set
}

// New returns a token store in memory, with cfg's user function, anonymous
// mode and sealer.
func New(cfg storage.Config) *storage.Store { return storage.New(&Backend{}, cfg) }

// Load returns a copy of the bytes stored under k, or nil, nil.
func (b *Backend) Load(_ context.Context, k storage.Key) ([]byte, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	v, ok := b.m[k]
	if !ok {
		return nil, nil
	}
	return append([]byte(nil), v...), nil
}

// Save stores a copy of data under k.
func (b *Backend) Save(_ context.Context, k storage.Key, data []byte, _ *blueprint.Token) error {
	v := append([]byte(nil), data...)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = make(map[storage.Key][]byte)
	}
	b.m[k] = v
	return nil
}

// Remove deletes what is stored under k.
func (b *Backend) Remove(_ context.Context, k storage.Key) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, k)
	return nil
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
