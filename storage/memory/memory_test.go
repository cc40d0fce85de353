package memory_test

import (
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
