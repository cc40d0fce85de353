package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/gindance/gindance/storage/sqlstore"
)

// BusyTimeout is how long a statement waits for another connection's write
// lock before failing.
const BusyTimeout = 10 * time.Second

// Open opens (creating it if needed) the SQLite database file at path, in
// WAL mode with BusyTimeout, and checks that it can be used.
func Open(path string) (*sql.DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("gindance/sqlite: %q: give the path of a database file (an in-memory database is not shared between connections)", path)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_txlock", "immediate")
	u := url.URL{Scheme: "file", Opaque: url.PathEscape(path), RawQuery: q.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), BusyTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("gindance/sqlite: opening %s: %w", path, err)
	}
	return db, nil
}

// New opens the database file at path and returns a migrated token store
// in it: the embedded default in one call. The store's DB is closed with
// store.DB().Close().
func New(ctx context.Context, path string, cfg sqlstore.Config) (*sqlstore.Store, error) {
	db, err := Open(path)
	if err != nil {
		return nil, err
	}
	cfg.Dialect = sqlstore.SQLite
	s, err := sqlstore.New(db, cfg)
	if err == nil {
		err = s.Migrate(ctx)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
