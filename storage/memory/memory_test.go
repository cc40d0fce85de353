package memory_test

import (
	"context"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
	"github.com/gindance/gindance/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) blueprint.Storage {
		return memory.New(storage.Config{User: storagetest.User})
	})
}

// Two blueprints in one process sharing one memory backend refresh once:
// the process-local lock stands in for a shared one.
func TestReplicasInOneProcess(t *testing.T) {
	storagetest.RunReplicas(t, func(t *testing.T) (a, b blueprint.Storage) {
		be := &memory.Backend{}
		cfg := storage.Config{User: storagetest.User}
		return storage.New(be, cfg), storage.New(be, cfg)
	})
}

// Back-Channel Logout 1.0 §2.7: the store forgets only the tokens of the
// logged-out session or subject, of that blueprint and issuer (the
// conformance suite runs the same check on every backend).
func TestForgetSessionForgetsOnlyThatSession(t *testing.T) {
	storagetest.RunForgetSession(t, func(t *testing.T) blueprint.Storage {
		return memory.New(storage.Config{User: storagetest.User})
	})
}

// SaveIf and RemoveIf are compare-and-set: the refresh's fenced writes
// (storage.ConditionalBackend).
func TestConditionalWritesAreAtomic(t *testing.T) {
	storagetest.RunConditionalBackend(t, &memory.Backend{})
}

// A token written by a refresh under its lease (SaveIf) is read back
// decoded, without a decode per read, as one written by Set.
func TestFencedWriteKeepsTheTokenDecoded(t *testing.T) {
	be := &memory.Backend{}
	s := storage.New(be, storage.Config{})
	ctx := context.Background()
	if err := s.SetFor(ctx, "github", "alice", &blueprint.Token{AccessToken: "a", RefreshToken: "r"}); err != nil {
		t.Fatal(err)
	}
	l, err := s.LeaseFor(ctx, "github", "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if _, err := l.Token(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Replace(ctx, &blueprint.Token{AccessToken: "b", RefreshToken: "r2"}); err != nil {
		t.Fatal(err)
	}
	got, ok := be.LoadDecoded(storage.Key{Provider: "github", User: "alice"})
	if !ok || got == nil || got.AccessToken != "b" {
		t.Fatalf("LoadDecoded after a fenced write: %+v, %v; want the new token, decoded", got, ok)
	}
}
