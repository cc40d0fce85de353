package keylock

import (
	"context"
	"errors"
	"sync"
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

func TestLockCountsUnderContention(t *testing.T) {
	var s Set
	var wg sync.WaitGroup
	n := 0
	for range 50 {
		wg.Go(func() {
			u, err := s.Lock(context.Background(), "k")
			if err != nil {
				t.Error(err)
				return
			}
			n++
			u()
		})
	}
	wg.Wait()
	if n != 50 {
		t.Fatalf("n = %d", n)
	}
}
