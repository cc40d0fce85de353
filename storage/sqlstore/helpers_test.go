package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log"
	"path/filepath"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/gindance/gindance/internal/testenv"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/sqlstore"
	"github.com/gindance/gindance/storage/sqlstore/sqlite"
	"github.com/gindance/gindance/storage/storagetest"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	// The timeout and lock-TTL tests cut connections on purpose; the
	// driver would log each one.
	_ = mysql.SetLogger(log.New(io.Discard, "", 0))
	m.Run()
}

// backendDB opens a database of one kind, skipping (failing under CI) when
// it is not configured or not reachable.
type backendDB struct {
	name    string
	dialect sqlstore.Dialect
	open    func(t testing.TB) *sql.DB
}

var backends = []backendDB{
	{"SQLite", sqlstore.SQLite, openSQLite},
	{"Postgres", sqlstore.Postgres, openPostgres},
	{"MySQL", sqlstore.MySQL, openMySQL},
}

func openSQLite(t testing.TB) *sql.DB {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "tokens.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openDriver(t testing.TB, driver, env, what string) *sql.DB {
	dsn := testenv.Service(t, env, what)
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("%s: %v", what, storage.Redact(err.Error()))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		testenv.Unavailable(t, what, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openPostgres(t testing.TB) *sql.DB {
	return openDriver(t, "pgx", "GINDANCE_POSTGRES_DSN", "PostgreSQL")
}

func openMySQL(t testing.TB) *sql.DB {
	return openDriver(t, "mysql", "GINDANCE_MYSQL_DSN", "MySQL")
}

// uniqueTable returns a table name no other test uses, dropped at cleanup.
func uniqueTable(t testing.TB, db *sql.DB) string {
	b := make([]byte, 6)
	rand.Read(b)
	name := "gdt_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+name); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	return name
}

// newStore returns a migrated store on a fresh table of db.
func newStore(t testing.TB, db *sql.DB, d sqlstore.Dialect, table string, cfg storage.Config) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.New(db, sqlstore.Config{Config: cfg, Dialect: d, Table: table})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

var userCfg = storage.Config{User: storagetest.User}
