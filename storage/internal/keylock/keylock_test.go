package keylock

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLockExcludesPerKeyAndHonoursContext(t *testing.T) {
	var s Set
	unlock, err := s.Lock(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	// another key is free
	u2, err := s.Lock(context.Background(), "b")
	if err != nil {
		t.Fatal(err)
	}
	u2()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(ctx, "a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Lock of a held key: %v, want DeadlineExceeded", err)
	}
	unlock()
	unlock() // harmless
	u3, err := s.Lock(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	u3()
	if len(s.locks) != 0 {
		t.Fatalf("%d idle locks kept", len(s.locks))
	}
}

// Under contention one holder at a time: each holder keeps the lock for a
// while, and the holders never overlap, with waiters queued and newcomers
// arriving as holders leave (a count incremented under the lock would come out right even
// without exclusion, as one unsynchronised increment per goroutine is
// rarely lost). Once all are done no lock is kept.
func TestLockExcludesUnderContention(t *testing.T) {
	var s Set
	var wg sync.WaitGroup
	var holders, most, done atomic.Int32
	for i := range 50 {
		wg.Go(func() {
			time.Sleep(time.Duration(i%10) * 500 * time.Microsecond) // newcomers while others wait
			u, err := s.Lock(context.Background(), "k")
			if err != nil {
				t.Error(err)
				return
			}
			n := holders.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(time.Millisecond)
			holders.Add(-1)
			done.Add(1)
			u()
		})
	}
	wg.Wait()
	if m, n := most.Load(), done.Load(); m != 1 || n != 50 {
		t.Fatalf("%d holders at once (want 1), %d of 50 held the lock", m, n)
	}
	if len(s.locks) != 0 {
		t.Fatalf("%d idle locks kept", len(s.locks))
	}
}
