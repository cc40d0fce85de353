package faults_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/internal/testenv"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/sqlstore"
	"github.com/gindance/gindance/storage/storagetest"
)

// sqlServer is the test's PostgreSQL or MariaDB, with the app's
// connections told apart from everyone else's (other tests share the
// server): by application_name on PostgreSQL, by a database of the test's
// own on MariaDB.
type sqlServer struct {
	t       *testing.T
	dialect sqlstore.Dialect
	driver  string
	dsn     string  // the app's connections
	admin   *sql.DB // the test's own connection, never killed
	tag     string  // application_name or database name
}

func randomTag() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "gindance_faults_" + hex.EncodeToString(b)
}

func openAdmin(t *testing.T, driver, dsn, what string) *sql.DB {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("%s: %v", what, storage.Redact(err.Error()))
	}
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		testenv.Unavailable(t, what, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func postgresServer(t *testing.T) *sqlServer {
	dsn := testenv.Service(t, "GINDANCE_POSTGRES_DSN", "PostgreSQL")
	s := &sqlServer{t: t, dialect: sqlstore.Postgres, driver: "pgx", tag: randomTag()}
	s.admin = openAdmin(t, "pgx", dsn, "PostgreSQL")
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		t.Fatalf("GINDANCE_POSTGRES_DSN must be a URL (postgres://...) for the fault tests")
	}
	q := u.Query()
	q.Set("application_name", s.tag)
	u.RawQuery = q.Encode()
	s.dsn = u.String()
	return s
}

func mariaDBServer(t *testing.T) *sqlServer {
	_ = mysql.SetLogger(log.New(io.Discard, "", 0)) // every killed connection would be a log line
	dsn := testenv.Service(t, "GINDANCE_MYSQL_DSN", "MariaDB")
	s := &sqlServer{t: t, dialect: sqlstore.MySQL, driver: "mysql", tag: randomTag()}
	s.admin = openAdmin(t, "mysql", dsn, "MariaDB")
	ctx := context.Background()
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+s.tag); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+s.tag) })
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(storage.Redact(err.Error()))
	}
	cfg.DBName = s.tag
	s.dsn = cfg.FormatDSN()
	return s
}

// replicas returns two stores, each on its own connection pool, sharing a
// fresh table.
func (s *sqlServer) replicas() (*sqlstore.Store, *sqlstore.Store) {
	t := s.t
	table := "gdf_" + strings.TrimPrefix(s.tag, "gindance_faults_")
	var stores [2]*sqlstore.Store
	for i := range stores {
		db, err := sql.Open(s.driver, s.dsn)
		if err != nil {
			t.Fatal(storage.Redact(err.Error()))
		}
		t.Cleanup(func() { db.Close() })
		st, err := sqlstore.New(db, sqlstore.Config{Dialect: s.dialect, Table: table,
			Config: storage.Config{User: storagetest.User, Timeout: storeTimeout, LockTTL: lockTTL}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = st.Migrate(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		stores[i] = st
	}
	t.Cleanup(func() { s.admin.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+table) })
	return stores[0], stores[1]
}

// kill ends the app's connections: all of them, or with lockHolders only
// those holding an advisory lock (PostgreSQL). It returns how many.
func (s *sqlServer) kill(lockHolders bool) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var q string
	switch {
	case s.dialect == sqlstore.Postgres && lockHolders:
		q = `SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1`
	case s.dialect == sqlstore.Postgres:
		q = `SELECT pid FROM pg_stat_activity WHERE application_name = $1`
	default:
		q = `SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()`
	}
	rows, err := s.admin.QueryContext(ctx, q, s.tag)
	if err != nil {
		s.t.Errorf("listing the app's connections: %v", err)
		return 0
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if rows.Scan(&id) == nil {
			ids = append(ids, id)
		}
	}
	rows.Close()
	for _, id := range ids {
		if s.dialect == sqlstore.Postgres {
			_, err = s.admin.ExecContext(ctx, "SELECT pg_terminate_backend($1)", id)
		} else {
			_, err = s.admin.ExecContext(ctx, "KILL ?", id)
		}
		if err != nil && !strings.Contains(err.Error(), "Unknown thread") {
			s.t.Errorf("killing connection %d: %v", id, err)
		}
	}
	return len(ids)
}

// killDuring kills the app's connections every 100 ms through the middle
// third of the load, every other round only the lock holders (PostgreSQL).
func (s *sqlServer) killDuring(size loadSize, killed *int) func() {
	return func() {
		time.Sleep(size.duration / 3)
		end := time.Now().Add(size.duration / 3)
		for i := 0; time.Now().Before(end); i++ {
			*killed += s.kill(i%2 == 1)
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func testConnectionsKilled(t *testing.T, s *sqlServer, name string) {
	size := sizes()
	a, b := s.replicas()
	w := newWorld(t, size.users, a, b)
	killed := 0
	tl := w.load(size, s.killDuring(size, &killed))
	if killed == 0 {
		t.Fatal("no connection was killed")
	}
	w.checkInvariants(name, tl, "store")
	t.Logf("FAULTS %s: %d connections killed", name, killed)
}

// Invariant: PostgreSQL backends of both replicas terminated
// (pg_terminate_backend) every 100 ms through the middle of the load, the
// advisory-lock holders among them: no request past its bounds, failures
// only ErrStoreUnavailable, tokens lost = 0, double refreshes = 0.
func TestFaultPostgresBackendsTerminated(t *testing.T) {
	faultSuite(t)
	testConnectionsKilled(t, postgresServer(t), "postgres pg_terminate_backend")
}

// Invariant: as for PostgreSQL, with MariaDB's KILL of every connection of
// both replicas (those holding GET_LOCK included).
func TestFaultMariaDBConnectionsKilled(t *testing.T) {
	faultSuite(t)
	testConnectionsKilled(t, mariaDBServer(t), "mariadb KILL")
}

// Invariant: a replica that takes the refresh lock and hangs makes the
// other replica wait at most LockTTL, which then refreshes once; a holder
// whose connection is killed (KILL, pg_terminate_backend) releases the
// database lock at once, but its lease still holds the others off until
// LockTTL: no replica refreshes while a live holder may be refreshing.
func TestFaultSQLLockHolderHangsOrKilled(t *testing.T) {
	faultSuite(t)
	for _, tc := range []struct {
		name   string
		server func(*testing.T) *sqlServer
	}{{"postgres", postgresServer}, {"mariadb", mariaDBServer}} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.server(t)
			a, b := s.replicas()
			w := newWorld(t, 0, a, b)
			const user = "stuck-user"
			w.users = []string{user}
			for round, kill := range []bool{false, true} {
				access, refresh := w.p.IssueToken(user, -time.Minute)
				if err := a.SetFor(context.Background(), "fake", user, &blueprint.Token{AccessToken: access,
					RefreshToken: refresh, TokenType: "Bearer", Expiry: time.Now().Add(-time.Minute)}); err != nil {
					t.Fatal(err)
				}
				unlock, err := a.LockFor(context.Background(), "fake", user) // the hung holder
				if err != nil {
					t.Fatal(err)
				}
				if kill {
					if n := s.kill(true); n == 0 && s.dialect == sqlstore.Postgres {
						t.Fatal("found no advisory-lock holder to terminate")
					}
				}
				class, detail, took := w.call(context.Background(), 1, user)
				unlock()
				if class != "ok" || took < lockTTL*8/10 || took > lockTTL+time.Second {
					t.Fatalf("kill=%v: the waiter: %s %q after %v, want ok after about LockTTL (%v)", kill, class, detail, took, lockTTL)
				}
				if n, r := w.p.Calls(gintest.EndpointRefresh), w.p.RefreshReuses(); n != round+1 || r != 0 {
					t.Fatalf("kill=%v: %d refreshes, %d double, want %d and 0", kill, n, r, round+1)
				}
				t.Logf("FAULTS %s lock holder hangs (connection killed: %v): the other replica refreshed after %v",
					tc.name, kill, took.Round(time.Millisecond))
			}
		})
	}
}
