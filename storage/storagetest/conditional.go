package storagetest

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
)

// testLeaseFencing checks the writes a refresh makes under its lease
// (blueprint.LeaseLocker): a token written through the lease replaces only
// the token the lease read, and a refused token is forgotten only while it
// is the one stored (blueprint.TokenForgetter).
func testLeaseFencing(t *testing.T, s blueprint.Storage, ll blueprint.LeaseLocker) {
	ctx := context.Background()
	lease := func(user string) blueprint.Lease {
		t.Helper()
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		l, err := ll.LockLease(ctx, Request(user), "github")
		if err != nil {
			t.Fatalf("LockLease: %v", err)
		}
		t.Cleanup(l.Unlock)
		return l
	}
	a, b, c, d := sample("a"), sample("b"), sample("c"), sample("d")

	mustSet(t, s, "alice", "github", a)
	l := lease("alice")
	if got, err := l.Token(ctx); err != nil || !same(got, a) {
		t.Fatalf("Lease.Token: %+v, %v; want the stored token", got, err)
	}
	mustSet(t, s, "alice", "github", b) // another instance, after the lease ended
	if err := l.Replace(ctx, c); !errors.Is(err, blueprint.ErrTokenChanged) {
		t.Fatalf("Replace over a token the lease did not read: %v, want ErrTokenChanged", err)
	}
	expect(t, "after a fenced Replace", mustGet(t, s, "alice", "github"), b)
	l.Unlock()

	l = lease("alice")
	if got, err := l.Token(ctx); err != nil || !same(got, b) {
		t.Fatalf("Lease.Token: %+v, %v; want the stored token", got, err)
	}
	if err := l.Replace(ctx, c); err != nil {
		t.Fatalf("Replace of the token the lease read: %v", err)
	}
	if err := l.Replace(ctx, d); err != nil {
		t.Fatalf("a second Replace, over the token the lease wrote: %v", err)
	}
	expect(t, "after Replace", mustGet(t, s, "alice", "github"), d)
	l.Unlock()

	l = lease("bob") // nothing stored: Replace must not create a token
	if got, err := l.Token(ctx); err != nil || got != nil {
		t.Fatalf("Lease.Token with nothing stored: %+v, %v", got, err)
	}
	if err := l.Replace(ctx, c); !errors.Is(err, blueprint.ErrTokenChanged) {
		t.Fatalf("Replace with nothing read: %v, want ErrTokenChanged", err)
	}
	expect(t, "after Replace with nothing read", mustGet(t, s, "bob", "github"), nil)
	l.Unlock()

	f, ok := s.(blueprint.TokenForgetter)
	if !ok {
		return
	}
	// the token refused (d's refresh token) is still stored: forgotten
	if cur, err := f.ForgetRefreshed(Request("alice"), "github", d); err != nil || cur != nil {
		t.Fatalf("ForgetRefreshed of the stored token: %+v, %v", cur, err)
	}
	expect(t, "after ForgetRefreshed", mustGet(t, s, "alice", "github"), nil)
	// a newer token is stored: kept, and returned
	mustSet(t, s, "alice", "github", b)
	cur, err := f.ForgetRefreshed(Request("alice"), "github", d)
	if err != nil || !same(cur, b) {
		t.Fatalf("ForgetRefreshed with a newer token stored: %+v, %v; want the newer token", cur, err)
	}
	expect(t, "after ForgetRefreshed of an older token", mustGet(t, s, "alice", "github"), b)
}

// RunConditionalBackend checks that b's SaveIf and RemoveIf are atomic
// compare-and-set operations (storage.ConditionalBackend): goroutines
// count up one stored number, each step a Load and a SaveIf over what was
// loaded, and no step may be lost; RemoveIf deletes only the bytes given.
// The storage.Store's own checks of fenced writes are in Run.
func RunConditionalBackend(t *testing.T, b storage.ConditionalBackend) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	k := storage.Key{Provider: "github", User: "counter-" + randomString(8)}
	if ok, err := b.SaveIf(ctx, k, []byte("0"), []byte("1"), nil); err != nil || ok {
		t.Fatalf("SaveIf with nothing stored: %v, %v; want false", ok, err)
	}
	if err := b.Save(ctx, k, []byte("0"), nil); err != nil {
		t.Fatal(err)
	}
	const workers, steps = 8, 25
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for n := 0; n < steps; {
				cur, err := b.Load(ctx, k)
				if err != nil {
					t.Error(err)
					return
				}
				v, err := strconv.Atoi(string(cur))
				if err != nil {
					t.Errorf("stored %q, want a number", cur)
					return
				}
				ok, err := b.SaveIf(ctx, k, cur, []byte(strconv.Itoa(v+1)), nil)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					n++
				}
			}
		})
	}
	wg.Wait()
	got, err := b.Load(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if want := strconv.Itoa(workers * steps); string(got) != want {
		t.Fatalf("after %d compare-and-set steps the count is %s: SaveIf is not atomic", workers*steps, got)
	}
	if ok, err := b.RemoveIf(ctx, k, []byte("0")); err != nil || ok {
		t.Fatalf("RemoveIf of bytes not stored: %v, %v; want false", ok, err)
	}
	if ok, err := b.RemoveIf(ctx, k, got); err != nil || !ok {
		t.Fatalf("RemoveIf of the stored bytes: %v, %v; want true", ok, err)
	}
	if cur, err := b.Load(ctx, k); err != nil || cur != nil {
		t.Fatalf("after RemoveIf: %q, %v; want nothing stored", cur, err)
	}
}
