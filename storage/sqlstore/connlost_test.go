package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/sqlstore"
)

// A database restart, a failover or an administrator ends the connections
// sitting in the app's pool. The first operation after it must not fail the
// user's request: the pooled connection is dead, not the database. pgx
// checks an idle connection only after a second idle, so before the store
// tried another connection every first statement within that second failed
// with 57P01 (admin_shutdown) as ErrStoreUnavailable.
func TestConnectionKilledInThePoolIsNotAnOutage(t *testing.T) {
	for _, be := range backends[1:] {
		t.Run(be.name, func(t *testing.T) {
			admin, db := be.open(t), be.open(t)
			s := newStore(t, db, be.dialect, uniqueTable(t, admin), storage.Config{Timeout: 2 * time.Second})
			ctx := context.Background()
			kill := func() {
				t.Helper()
				pid, terminate := "SELECT CONNECTION_ID()", "KILL ?"
				if be.dialect == sqlstore.Postgres {
					pid, terminate = "SELECT pg_backend_pid()", "SELECT pg_terminate_backend($1)"
				}
				// every connection the pool keeps (database/sql's default of two
				// idle ones), held at once so that they are two
				var ids []int64
				for range 2 {
					conn, err := db.Conn(ctx)
					if err != nil {
						t.Fatal(err)
					}
					defer conn.Close()
					var id int64
					if err := conn.QueryRowContext(ctx, pid).Scan(&id); err != nil {
						t.Fatal(err)
					}
					ids = append(ids, id)
				}
				for _, id := range ids {
					if _, err := admin.ExecContext(ctx, terminate, id); err != nil {
						t.Fatal(err)
					}
				}
				time.Sleep(20 * time.Millisecond) // the server has ended it; the pool does not know
			}
			tok := &blueprint.Token{AccessToken: "a", RefreshToken: "r", TokenType: "Bearer"}
			ops := []struct {
				name string
				do   func() error
			}{
				{"Set", func() error { return s.SetFor(ctx, "github", "alice", tok) }},
				{"Get", func() error {
					got, err := s.GetFor(ctx, "github", "alice")
					if err == nil && (got == nil || got.AccessToken != "a") {
						t.Fatalf("Get after the kill: %+v, want the stored token", got)
					}
					return err
				}},
				{"Lock", func() error {
					unlock, err := s.LockFor(ctx, "github", "alice")
					if err == nil {
						unlock()
					}
					return err
				}},
				{"Delete", func() error { return s.DeleteFor(ctx, "github", "alice") }},
			}
			for _, op := range ops {
				kill()
				if err := op.do(); err != nil {
					t.Errorf("%s on a pool whose connection the server ended: %v, want it done on a new connection", op.name, err)
				}
			}
			if got, err := s.GetFor(ctx, "github", "alice"); err != nil || got != nil {
				t.Fatalf("after Delete: %v, %v; want no token", got, err)
			}
		})
	}
}
