package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage/sqlstore"
	"github.com/gindance/gindance/storage/sqlstore/sqlite"
)

func TestOpenRefusesInMemory(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file::memory:"} {
		if db, err := sqlite.Open(p); err == nil {
			db.Close()
			t.Errorf("Open(%q) accepted", p)
		}
	}
}

// Two handles on one file (two processes, or a CLI next to the app) write
// concurrently without SQLITE_BUSY errors, and a path with spaces works.
func TestConcurrentWritersOnOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "my tokens.db")
	ctx := context.Background()
	var stores []*sqlstore.Store
	for range 2 {
		s, err := sqlite.New(ctx, path, sqlstore.Config{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.DB().Close() })
		stores = append(stores, s)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			for j := range 10 {
				s := stores[(i+j)%2]
				if err := s.SetFor(ctx, "github", "alice", &blueprint.Token{AccessToken: "t"}); err != nil {
					t.Errorf("SetFor: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	var mode string
	if err := stores[0].DB().QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
}
