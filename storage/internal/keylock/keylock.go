// Package keylock is a set of mutexes, one per key, whose Lock waits no
// longer than a context allows.
package keylock

import (
	"context"
	"sync"
)

// Set holds one lock per key; the zero value is ready. Locks no one holds or
// waits for are dropped, so the set stays as small as the contention.
type Set struct {
	mu    sync.Mutex
	locks map[string]*entry
}

type entry struct {
	ch   chan struct{} // holds one value while the lock is taken
	refs int           // holders and waiters
}

// Lock takes the lock for key, waiting until ctx is done. The returned
// function releases it; calling it more than once is harmless.
func (s *Set) Lock(ctx context.Context, key string) (func(), error) {
	s.mu.Lock()
	if s.locks == nil {
		s.locks = make(map[string]*entry)
	}
	e := s.locks[key]
	if e == nil {
		e = &entry{ch: make(chan struct{}, 1)}
		s.locks[key] = e
	}
	e.refs++
	s.mu.Unlock()

	select {
	case e.ch <- struct{}{}:
	case <-ctx.Done():
		s.drop(key, e)
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-e.ch
			s.drop(key, e)
		})
	}, nil
}

func (s *Set) drop(key string, e *entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.refs--
	if e.refs == 0 {
		delete(s.locks, key)
	}
}
