package faults_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gindance/gindance/internal/testenv"
	"github.com/gindance/gindance/storage/sqlstore"
)

// The PostgreSQL primary and streaming standby .ci/run starts
// (.ci/pg-failover): the multi-host DSN, the directory of both clusters,
// and the variable that lets a test stop the primary (with the script's
// kill-primary and promote).
const (
	pgFailoverDSNEnv = "GINDANCE_POSTGRES_FAILOVER_DSN"
	pgFailoverDirEnv = "GINDANCE_POSTGRES_FAILOVER_DIR"
	pgFailoverEnv    = "GINDANCE_POSTGRES_FAILOVER"
)

// pgFailover runs .ci/pg-failover's cmd on the pair in dir.
func pgFailover(cmd, dir string) error {
	out, err := exec.Command("bash", filepath.Join("..", "..", ".ci", "pg-failover"), cmd, dir).CombinedOutput()
	if err != nil {
		return fmt.Errorf(".ci/pg-failover %s: %v: %s", cmd, err, out)
	}
	return nil
}

// waitWritable waits until a new connection through the multi-host dsn
// reaches a server that accepts writes (target_session_attrs=read-write:
// the promoted standby).
func waitWritable(dsn string, within time.Duration) (time.Duration, error) {
	start := time.Now()
	for {
		db, err := sql.Open("pgx", dsn)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			var inRecovery bool
			err = db.QueryRowContext(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery)
			cancel()
			db.Close()
			if err == nil && inRecovery {
				err = fmt.Errorf("the server is still in recovery")
			}
		}
		if err == nil {
			return time.Since(start), nil
		}
		if time.Since(start) > within {
			return time.Since(start), err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Invariant: the PostgreSQL primary stopped at once (pg_ctl stop -m
// immediate: no shutdown checkpoint, every connection dropped) mid-load and
// its standby promoted, the stores reaching whichever server accepts
// writes through a multi-host DSN (target_session_attrs=read-write): no
// request past its bounds, failures only ErrStoreUnavailable, tokens lost
// = 0 and double refreshes = 0. Replication is synchronous here (see
// .ci/pg-failover): with asynchronous replication a token refreshed just
// before the failover may be lost (docs/storage.md).
func TestFaultPostgresPrimaryFailover(t *testing.T) {
	dsn := testenv.Service(t, pgFailoverDSNEnv, "a PostgreSQL primary with a streaming standby")
	dir := testenv.Service(t, pgFailoverDirEnv, "the PostgreSQL failover pair's directory")
	if os.Getenv(pgFailoverEnv) != "1" {
		t.Skipf("%s is not 1: this test stops the primary of the pair, which .ci/run's PostgreSQL failover step allows", pgFailoverEnv)
	}
	size := sizes()
	s := &sqlServer{t: t, dialect: sqlstore.Postgres, driver: "pgx", dsn: dsn, tag: randomTag()}
	s.admin = openAdmin(t, "pgx", dsn, "PostgreSQL failover pair")
	a, b := s.replicas()
	w := newWorld(t, size.users, a, b)
	var promoted time.Duration
	var fault error
	tl := w.load(size, func() {
		time.Sleep(size.duration / 3)
		if fault = pgFailover("kill-primary", dir); fault != nil {
			return
		}
		stopped := time.Now()
		if fault = pgFailover("promote", dir); fault != nil {
			return
		}
		_, fault = waitWritable(dsn, 30*time.Second)
		promoted = time.Since(stopped)
	})
	if fault != nil {
		t.Fatalf("stopping the primary and promoting the standby: %v", fault)
	}
	t.Logf("FAULTS postgres failover: primary stopped (immediate), the standby promoted and writable %v later", promoted.Round(time.Millisecond))
	w.checkInvariants("postgres primary stopped, standby promoted", tl, "store")
}
