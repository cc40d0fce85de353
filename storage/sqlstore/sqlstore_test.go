package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/sqlstore"
	"github.com/gindance/gindance/storage/storagetest"
)

func TestConformance(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db := be.open(t)
			storagetest.Run(t, func(t *testing.T) blueprint.Storage {
				return newStore(t, db, be.dialect, uniqueTable(t, db), userCfg)
			})
		})
	}
}

// Two app instances, each with its own connection pool, sharing one
// database refresh an expired token exactly once between them; so do a
// background job (ClientFor) and requests on both.
func TestReplicasRefreshOnce(t *testing.T) {
	forEachReplicated(t, storagetest.RunReplicas)
}

func TestReplicasWithJobRefreshOnce(t *testing.T) {
	forEachReplicated(t, storagetest.RunReplicasWithJob)
}

// forEachReplicated runs run for each database replicas can share, with
// two stores on one table, each with a connection pool of its own.
func forEachReplicated(t *testing.T, run func(*testing.T, storagetest.NewReplicas)) {
	for _, be := range backends[1:] { // SQLite's lock is per process
		t.Run(be.name, func(t *testing.T) {
			run(t, func(t *testing.T) (a, b blueprint.Storage) {
				dbA, dbB := be.open(t), be.open(t)
				table := uniqueTable(t, dbA)
				return newStore(t, dbA, be.dialect, table, userCfg), newStore(t, dbB, be.dialect, table, userCfg)
			})
		})
	}
}

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db := be.open(t)
			table := uniqueTable(t, db)
			s, err := sqlstore.New(db, sqlstore.Config{Dialect: be.dialect, Table: table})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Go(func() { errs <- s.Migrate(ctx) })
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("concurrent Migrate: %v", err)
				}
			}
			if err := s.SetFor(ctx, "github", "alice", &blueprint.Token{AccessToken: "kept"}); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("Migrate again: %v", err)
			}
			if tok, err := s.GetFor(ctx, "github", "alice"); err != nil || tok == nil || tok.AccessToken != "kept" {
				t.Fatalf("after a second Migrate: %v %v", tok, err)
			}
		})
	}
}

// The table keeps one row per provider and user key, with both timestamps;
// a new login updates the row in place.
func TestSchemaOneRowPerUserAndProvider(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db := be.open(t)
			table := uniqueTable(t, db)
			s := newStore(t, db, be.dialect, table, storage.Config{})
			ctx := context.Background()
			for _, at := range []string{"first", "second", "third"} {
				if err := s.SetFor(ctx, "github", "alice", &blueprint.Token{AccessToken: at}); err != nil {
					t.Fatal(err)
				}
			}
			_ = s.SetFor(ctx, "google", "alice", &blueprint.Token{AccessToken: "g"})
			var n int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil || n != 2 {
				t.Fatalf("rows = %d (%v), want 2", n, err)
			}
			var nulls int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE created_at IS NULL OR updated_at IS NULL").Scan(&nulls); err != nil || nulls != 0 {
				t.Fatalf("rows without timestamps: %d (%v)", nulls, err)
			}
			if tok, _ := s.GetFor(ctx, "github", "alice"); tok.AccessToken != "third" {
				t.Fatalf("got %q, want the last login's token", tok.AccessToken)
			}
		})
	}
}

func TestDatabaseDownIsUnavailable(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			admin, db := be.open(t), be.open(t) // SQLite: two files, each its own database
			table := uniqueTable(t, admin)
			if be.dialect == sqlstore.SQLite {
				table = "tokens" // in a temporary file, gone with it
			}
			s := newStore(t, db, be.dialect, table, storage.Config{Timeout: 2 * time.Second})
			db.Close() // as good as a server that went away
			ctx := context.Background()
			if _, err := s.GetFor(ctx, "github", "alice"); !errors.Is(err, storage.ErrStoreUnavailable) {
				t.Fatalf("Get: %v, want ErrStoreUnavailable", err)
			}
			if err := s.SetFor(ctx, "github", "alice", &blueprint.Token{AccessToken: "x"}); !errors.Is(err, storage.ErrStoreUnavailable) || !errors.Is(err, sql.ErrConnDone) && !strings.Contains(err.Error(), "closed") {
				t.Fatalf("Set: %v, want ErrStoreUnavailable wrapping the driver error", err)
			}
			if _, err := s.LockFor(ctx, "github", "alice"); be.dialect != sqlstore.SQLite && !errors.Is(err, storage.ErrStoreUnavailable) {
				t.Fatalf("Lock: %v, want ErrStoreUnavailable", err)
			}
		})
	}
}

// A holder that never unlocks (a hung or crashed instance) blocks others no
// longer than the lock TTL.
func TestLockHeldTooLongExpires(t *testing.T) {
	for _, be := range backends[1:] {
		t.Run(be.name, func(t *testing.T) {
			dbA, dbB := be.open(t), be.open(t)
			table := uniqueTable(t, dbA)
			cfg := storage.Config{LockTTL: time.Second}
			a := newStore(t, dbA, be.dialect, table, cfg)
			b := newStore(t, dbB, be.dialect, table, cfg)
			if _, err := a.LockFor(context.Background(), "github", "alice"); err != nil {
				t.Fatal(err)
			} // never unlocked
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			unlock, err := b.LockFor(ctx, "github", "alice")
			if err != nil {
				t.Fatalf("second instance after the TTL: %v", err)
			}
			unlock()
			if d := time.Since(start); d < 500*time.Millisecond || d > 5*time.Second {
				t.Fatalf("second instance got the lock after %v, want about the 1s TTL", d)
			}
		})
	}
}

func TestNewRejectsBadTableNames(t *testing.T) {
	db := openSQLite(t)
	for _, name := range []string{"tokens; DROP TABLE users", "a-b", "1abc", "a.b.c", `"x"`} {
		if _, err := sqlstore.New(db, sqlstore.Config{Table: name}); err == nil {
			t.Errorf("table %q accepted", name)
		}
	}
	s, err := sqlstore.New(db, sqlstore.Config{})
	if err != nil || s.Dialect() != sqlstore.SQLite || s.Table() != sqlstore.DefaultTable {
		t.Fatalf("defaults: %v %v %v", s, err, s.Dialect())
	}
}

func TestDetectDialect(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			d, err := sqlstore.DetectDialect(be.open(t))
			if err != nil || d != be.dialect {
				t.Fatalf("DetectDialect = %v, %v; want %v", d, err, be.dialect)
			}
		})
	}
}

// A database that does not answer in time (here: the table is locked by
// another session) fails within the store's timeout with
// ErrStoreUnavailable. The stored token is then the one before or the one
// being written, whole: like any database write whose answer never came, a
// timed-out Set may still land (MySQL runs the queued statement once the
// lock is gone, even though the client hung up).
func TestSlowDatabaseTimesOut(t *testing.T) {
	for _, be := range backends[1:] {
		t.Run(be.name, func(t *testing.T) {
			admin, db := be.open(t), be.open(t)
			table := uniqueTable(t, admin)
			s := newStore(t, db, be.dialect, table, storage.Config{Timeout: 300 * time.Millisecond})
			ctx := context.Background()
			if err := s.SetFor(ctx, "github", "alice", &blueprint.Token{AccessToken: "before"}); err != nil {
				t.Fatal(err)
			}
			conn, err := admin.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			release := func() { conn.ExecContext(ctx, "ROLLBACK") }
			if be.dialect == sqlstore.Postgres {
				_, err = conn.ExecContext(ctx, "BEGIN")
				if err == nil {
					_, err = conn.ExecContext(ctx, "LOCK TABLE "+table+" IN ACCESS EXCLUSIVE MODE")
				}
			} else {
				_, err = conn.ExecContext(ctx, "LOCK TABLES "+table+" WRITE")
				release = func() { conn.ExecContext(ctx, "UNLOCK TABLES") }
			}
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, getErr := s.GetFor(ctx, "github", "alice")
			setErr := s.SetFor(ctx, "github", "alice", &blueprint.Token{AccessToken: "during"})
			took := time.Since(start)
			release()
			for op, err := range map[string]error{"Get": getErr, "Set": setErr} {
				if !errors.Is(err, storage.ErrStoreUnavailable) || !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "cancel") {
					t.Errorf("%s on a locked table: %v, want ErrStoreUnavailable from the timeout", op, err)
				}
			}
			if took > 3*time.Second {
				t.Errorf("two operations with a 300ms timeout took %v", took)
			}
			tok, err := s.GetFor(ctx, "github", "alice")
			if err != nil || tok == nil || tok.AccessToken != "before" && tok.AccessToken != "during" {
				t.Fatalf("after the timeouts: %+v, %v; want one of the two tokens, whole", tok, err)
			}
		})
	}
}

// SaveIf and RemoveIf are compare-and-set, each one statement
// (storage.ConditionalBackend).
func TestConditionalWritesAreAtomic(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db := be.open(t)
			s := newStore(t, db, be.dialect, uniqueTable(t, db), userCfg)
			storagetest.RunConditionalBackend(t, s.Backend().(storage.ConditionalBackend))
		})
	}
}
