package storagetest_test

import (
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
	"github.com/gindance/gindance/storage/storagetest"
)

// A store of your own runs the suite with its user function set to
// storagetest.User. Here: the memory store.
func ExampleRun() {
	_ = func(t *testing.T) {
		storagetest.Run(t, func(t *testing.T) blueprint.Storage {
			return memory.New(storage.Config{User: storagetest.User})
		})
	}
}
