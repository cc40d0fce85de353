package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/internal/keylock"
)

// DefaultTable is the table name when Config.Table is empty.
const DefaultTable = "gindance_tokens"

// Dialect is the SQL flavour of the database: SQLite, Postgres or MySQL.
type Dialect struct{ name string }

// The dialects sqlstore speaks.
var (
	SQLite   = Dialect{"sqlite"}
	Postgres = Dialect{"postgres"}
	MySQL    = Dialect{"mysql"} // MySQL 5.7+ and MariaDB 10.3+
)

// String returns the dialect's name.
func (d Dialect) String() string { return d.name }

// DetectDialect returns the dialect of db's driver: modernc.org/sqlite or
// mattn/go-sqlite3, pgx's stdlib or lib/pq, go-sql-driver/mysql.
func DetectDialect(db *sql.DB) (Dialect, error) {
	t := fmt.Sprintf("%T", db.Driver())
	switch {
	case strings.Contains(t, "sqlite"):
		return SQLite, nil
	case strings.Contains(t, "stdlib.") || strings.Contains(t, "pq.") || strings.Contains(t, "pgx"):
		return Postgres, nil
	case strings.Contains(t, "mysql"):
		return MySQL, nil
	}
	return Dialect{}, fmt.Errorf("gindance/sqlstore: cannot tell the SQL dialect of driver %s: set Config.Dialect", t)
}

// Config configures a Store.
type Config struct {
	// Config is the user function, anonymous mode, sealer, timeouts.
	storage.Config
	// Dialect of the database; zero: detected from the driver.
	Dialect Dialect
	// Table is the table name, optionally schema-qualified
	// ("auth.oauth_tokens"); letters, digits and underscores only.
	// Default DefaultTable.
	Table string
}

var tableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$`)

// Store is a token store in a SQL table: a blueprint.Storage and
// blueprint.RefreshLocker (through the embedded *storage.Store) with
// Migrate.
type Store struct {
	*storage.Store
	backend *backend
}

// New returns a store keeping tokens in db. Call Migrate once at start-up
// (or create the table with your own migrations: see Schema).
func New(db *sql.DB, cfg Config) (*Store, error) {
	b, err := newBackend(db, cfg.Dialect, cfg.Table)
	if err != nil {
		return nil, err
	}
	return &Store{Store: storage.New(b, cfg.Config), backend: b}, nil
}

// DB returns the store's database.
func (s *Store) DB() *sql.DB { return s.backend.db }

// Table returns the store's table name.
func (s *Store) Table() string { return s.backend.table }

// Dialect returns the store's SQL dialect.
func (s *Store) Dialect() Dialect { return s.backend.dialect }

// Schema returns the CREATE TABLE (and CREATE INDEX) statements Migrate
// runs, separated by ";\n", for apps that manage their schema with their
// own migration tool. Tables made before the sid_ref and sub_ref columns
// (back-channel logout) gain them in Migrate.
func (s *Store) Schema() string {
	return strings.Join(append([]string{s.backend.createTable()}, s.backend.createIndexes()...), ";\n")
}

// Migrate creates the table when it does not exist. It is idempotent, and
// safe when several instances run it at once: on PostgreSQL and MySQL it
// holds a database lock while it runs.
func (s *Store) Migrate(ctx context.Context) error {
	return storage.Unavailable("migrate", s.backend.migrate(ctx))
}

type backend struct {
	db      *sql.DB
	dialect Dialect
	table   string
	local   keylock.Set // SQLite

	load, save, remove, removeSession string
	saveIf, removeIf                  string
}

func newBackend(db *sql.DB, d Dialect, table string) (*backend, error) {
	if db == nil {
		return nil, errors.New("gindance/sqlstore: nil *sql.DB")
	}
	if d == (Dialect{}) {
		var err error
		if d, err = DetectDialect(db); err != nil {
			return nil, err
		}
	}
	if table == "" {
		table = DefaultTable
	}
	if !tableName.MatchString(table) {
		return nil, fmt.Errorf("gindance/sqlstore: table name %q: use letters, digits and underscores (schema.table allowed)", table)
	}
	b := &backend{db: db, dialect: d, table: table}
	p1, p2, p3, p4, p5 := "?", "?", "?", "?", "?"
	if d == Postgres {
		p1, p2, p3, p4, p5 = "$1", "$2", "$3", "$4", "$5"
	}
	b.load = fmt.Sprintf("SELECT token FROM %s WHERE provider = %s AND user_key = %s", table, p1, p2)
	b.remove = fmt.Sprintf("DELETE FROM %s WHERE provider = %s AND user_key = %s", table, p1, p2)
	b.removeSession = fmt.Sprintf("DELETE FROM %s WHERE provider = %s AND (sid_ref = %s OR sub_ref = %s)", table, p1, p2, p3)
	// conditional on the stored bytes (storage.ConditionalBackend): the
	// primary key finds the row, the token column is only compared
	b.removeIf = b.remove + " AND token = " + p3
	switch d {
	case Postgres:
		b.saveIf = fmt.Sprintf("UPDATE %s SET token = $1, sid_ref = $2, sub_ref = $3, updated_at = now() WHERE provider = $4 AND user_key = $5 AND token = $6", table)
	case MySQL:
		b.saveIf = fmt.Sprintf("UPDATE %s SET token = ?, sid_ref = ?, sub_ref = ?, updated_at = CURRENT_TIMESTAMP(6) WHERE provider = ? AND user_key = ? AND token = ?", table)
	default:
		b.saveIf = fmt.Sprintf("UPDATE %s SET token = ?, sid_ref = ?, sub_ref = ?, updated_at = CURRENT_TIMESTAMP WHERE provider = ? AND user_key = ? AND token = ?", table)
	}
	insert := fmt.Sprintf("INSERT INTO %s (provider, user_key, token, sid_ref, sub_ref) VALUES (%s, %s, %s, %s, %s)", table, p1, p2, p3, p4, p5)
	switch d {
	case SQLite:
		b.save = insert + " ON CONFLICT (provider, user_key) DO UPDATE SET token = excluded.token, sid_ref = excluded.sid_ref, sub_ref = excluded.sub_ref, updated_at = CURRENT_TIMESTAMP"
	case Postgres:
		b.save = insert + " ON CONFLICT (provider, user_key) DO UPDATE SET token = excluded.token, sid_ref = excluded.sid_ref, sub_ref = excluded.sub_ref, updated_at = now()"
	case MySQL:
		b.save = insert + " ON DUPLICATE KEY UPDATE token = VALUES(token), sid_ref = VALUES(sid_ref), sub_ref = VALUES(sub_ref), updated_at = CURRENT_TIMESTAMP(6)"
	default:
		return nil, fmt.Errorf("gindance/sqlstore: unknown dialect %q", d.name)
	}
	return b, nil
}

func (b *backend) createTable() string {
	switch b.dialect {
	case Postgres:
		return "CREATE TABLE IF NOT EXISTS " + b.table + ` (
	provider   TEXT NOT NULL,
	user_key   TEXT NOT NULL,
	token      BYTEA NOT NULL,
	sid_ref    TEXT,
	sub_ref    TEXT,
	created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
	updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
	PRIMARY KEY (provider, user_key)
)`
	case MySQL:
		// VARBINARY: keys compare byte for byte (no case, accent or
		// trailing-space folding that would give one user another's token).
		return "CREATE TABLE IF NOT EXISTS " + b.table + ` (
	provider   VARBINARY(255) NOT NULL,
	user_key   VARBINARY(512) NOT NULL,
	token      MEDIUMBLOB NOT NULL,
	sid_ref    VARBINARY(64),
	sub_ref    VARBINARY(64),
	created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	PRIMARY KEY (provider, user_key),
	INDEX gindance_sid_ref (provider, sid_ref),
	INDEX gindance_sub_ref (provider, sub_ref)
) ENGINE=InnoDB`
	default:
		return "CREATE TABLE IF NOT EXISTS " + b.table + ` (
	provider   TEXT NOT NULL,
	user_key   TEXT NOT NULL,
	token      BLOB NOT NULL,
	sid_ref    TEXT,
	sub_ref    TEXT,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (provider, user_key)
)`
	}
}

func (b *backend) migrate(ctx context.Context) error {
	switch b.dialect {
	case Postgres:
		// Concurrent CREATE TABLE IF NOT EXISTS can fail on PostgreSQL
		// (a unique violation in pg_type): serialise it.
		tx, err := b.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey(b.table, "migrate", "")); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, b.createTable()); err != nil {
			return err
		}
		// Tables made before the session references gain them.
		if _, err := tx.ExecContext(ctx, "ALTER TABLE "+b.table+" ADD COLUMN IF NOT EXISTS sid_ref TEXT, ADD COLUMN IF NOT EXISTS sub_ref TEXT"); err != nil {
			return err
		}
		for _, stmt := range b.createIndexes() {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return tx.Commit()
	case MySQL:
		unlock, _, err := b.mysqlLock(ctx, lockName(b.table, "migrate", ""), time.Minute)
		if err != nil {
			return err
		}
		defer unlock()
		if _, err = b.db.ExecContext(ctx, b.createTable()); err != nil {
			return err
		}
		if b.hasSessionRefs(ctx) {
			return nil
		}
		_, err = b.db.ExecContext(ctx, "ALTER TABLE "+b.table+" ADD COLUMN sid_ref VARBINARY(64), ADD COLUMN sub_ref VARBINARY(64), "+
			"ADD INDEX gindance_sid_ref (provider, sid_ref), ADD INDEX gindance_sub_ref (provider, sub_ref)")
		return err
	default:
		if _, err := b.db.ExecContext(ctx, b.createTable()); err != nil {
			return err
		}
		if !b.hasSessionRefs(ctx) {
			for _, col := range []string{"sid_ref", "sub_ref"} {
				if _, err := b.db.ExecContext(ctx, "ALTER TABLE "+b.table+" ADD COLUMN "+col+" TEXT"); err != nil {
					return err
				}
			}
		}
		for _, stmt := range b.createIndexes() {
			if _, err := b.db.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	}
}

// hasSessionRefs reports whether the table has the session reference
// columns (tables made by older versions do not).
func (b *backend) hasSessionRefs(ctx context.Context) bool {
	rows, err := b.db.QueryContext(ctx, "SELECT sid_ref, sub_ref FROM "+b.table+" WHERE 1 = 0")
	if err != nil {
		return false
	}
	rows.Close()
	return true
}

// createIndexes are the statements creating the indexes back-channel
// logout finds tokens by (PostgreSQL and SQLite; MySQL's are in its CREATE
// TABLE).
func (b *backend) createIndexes() []string {
	if b.dialect == MySQL {
		return nil
	}
	schema, name, qualified := strings.Cut(b.table, ".")
	if !qualified {
		schema, name = "", b.table
	}
	idx, on := name, b.table
	if b.dialect == SQLite && qualified {
		idx, on = schema+"."+name, name // SQLite qualifies the index, not the table
	}
	return []string{
		fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s_sid_ref ON %s (provider, sid_ref)", idx, on),
		fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s_sub_ref ON %s (provider, sub_ref)", idx, on),
	}
}

// Load returns the token bytes of k, or nil, nil.
func (b *backend) Load(ctx context.Context, k storage.Key) ([]byte, error) {
	var data []byte
	err := again(ctx, func() error { return b.db.QueryRowContext(ctx, b.load, k.Provider, k.User).Scan(&data) })
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// Save upserts the token bytes of k and its session references in one
// statement.
func (b *backend) Save(ctx context.Context, k storage.Key, data []byte, tok *blueprint.Token) error {
	refs := storage.RefsOf(tok)
	return again(ctx, func() error {
		_, err := b.db.ExecContext(ctx, b.save, k.Provider, k.User, data, nullable(refs.SID), nullable(refs.Sub))
		return err
	})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// RemoveSession deletes the rows of provider whose sid_ref or sub_ref is
// ref, in one statement.
func (b *backend) RemoveSession(ctx context.Context, provider, ref string) (int, error) {
	if ref == "" {
		return 0, nil
	}
	var n int64
	err := again(ctx, func() error {
		res, err := b.db.ExecContext(ctx, b.removeSession, provider, ref, ref)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return int(n), err
}

// SaveIf updates the token bytes of k and its session references if the
// stored bytes are old, in one statement.
func (b *backend) SaveIf(ctx context.Context, k storage.Key, old, data []byte, tok *blueprint.Token) (bool, error) {
	refs := storage.RefsOf(tok)
	var ok bool
	// run again on a lost connection: a first run that did write leaves
	// data stored, and the second reports the change (false), which the
	// Store treats as another instance's write
	err := again(ctx, func() (err error) {
		res, err := b.db.ExecContext(ctx, b.saveIf, data, nullable(refs.SID), nullable(refs.Sub), k.Provider, k.User, old)
		ok, err = affected(res, err)
		return err
	})
	if err == nil && !ok && b.dialect == MySQL && bytes.Equal(old, data) {
		// MySQL counts changed rows, not matched ones: rewriting the same
		// bytes in the same microsecond changes nothing
		cur, err := b.Load(ctx, k)
		return err == nil && bytes.Equal(cur, old), err
	}
	return ok, err
}

// RemoveIf deletes the row of k if its token bytes are old.
func (b *backend) RemoveIf(ctx context.Context, k storage.Key, old []byte) (bool, error) {
	var ok bool
	err := again(ctx, func() (err error) {
		res, err := b.db.ExecContext(ctx, b.removeIf, k.Provider, k.User, old)
		ok, err = affected(res, err)
		return err
	})
	return ok, err
}

// affected reports whether a statement changed a row.
func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Remove deletes the row of k.
func (b *backend) Remove(ctx context.Context, k storage.Key) error {
	return again(ctx, func() error {
		_, err := b.db.ExecContext(ctx, b.remove, k.Provider, k.User)
		return err
	})
}

// Lock takes the refresh lock of k; see the package documentation.
func (b *backend) Lock(ctx context.Context, k storage.Key, ttl time.Duration) (func(), error) {
	unlock, _, err := b.LockChecked(ctx, k, ttl)
	return unlock, err
}

// LockChecked is Lock, and held reports an error once the lock's
// connection is gone (killed by the server: the lock went with it).
func (b *backend) LockChecked(ctx context.Context, k storage.Key, ttl time.Duration) (unlock func(), held func(context.Context) error, err error) {
	switch b.dialect {
	case Postgres:
		err = again(ctx, func() (err error) {
			unlock, held, err = b.pgLock(ctx, lockKey(b.table, k.Provider, k.User), ttl)
			return err
		})
		return unlock, held, err
	case MySQL:
		return b.mysqlLock(ctx, lockName(b.table, k.Provider, k.User), ttl)
	default:
		unlock, err := b.local.Lock(ctx, k.Provider+"\x00"+k.User)
		return unlock, func(context.Context) error { return nil }, err
	}
}

func lockHash(table, provider, user string) []byte {
	h := sha256.New()
	for _, s := range []string{"gindance", table, provider, user} {
		h.Write(binary.AppendUvarint(nil, uint64(len(s))))
		h.Write([]byte(s))
	}
	return h.Sum(nil)
}

// lockKey is the PostgreSQL advisory lock key of a token.
func lockKey(table, provider, user string) int64 {
	return int64(binary.BigEndian.Uint64(lockHash(table, provider, user)))
}

// lockName is the MySQL lock name of a token (at most 64 characters).
func lockName(table, provider, user string) string {
	return "gindance:" + hex.EncodeToString(lockHash(table, provider, user))[:40]
}

// pgLock takes a transaction-scoped advisory lock. The transaction ends (and
// the lock with it) at unlock, after ttl on the client, or when the server
// finds it idle for ttl (a holder that hangs or lost its network).
func (b *backend) pgLock(ctx context.Context, key int64, ttl time.Duration) (func(), func(context.Context) error, error) {
	hold, cancel := context.WithTimeout(context.WithoutCancel(ctx), ttl)
	tx, err := b.db.BeginTx(hold, nil)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	fail := func(err error) (func(), func(context.Context) error, error) {
		tx.Rollback()
		cancel()
		return nil, nil, err
	}
	settings := fmt.Sprintf("SET LOCAL idle_in_transaction_session_timeout = %d", max(ttl.Milliseconds(), 1))
	if _, err := tx.ExecContext(ctx, settings); err != nil {
		return fail(err)
	}
	if dl, ok := ctx.Deadline(); ok {
		// bound the wait on the server too, should the cancel not get through
		ms := max(time.Until(dl).Milliseconds(), 1)
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("SET LOCAL lock_timeout = %d", ms)); err != nil {
			return fail(err)
		}
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", key); err != nil {
		return fail(err)
	}
	var once sync.Once
	return func() {
			once.Do(func() {
				tx.Rollback()
				cancel()
			})
		}, func(ctx context.Context) error {
			_, err := tx.ExecContext(ctx, "SELECT 1")
			return err
		}, nil
}

// mysqlLock takes a named lock on a connection of its own, whose
// wait_timeout is ttl: if the holder hangs, the server ends the session and
// the lock with it. The client also releases it after ttl.
func (b *backend) mysqlLock(ctx context.Context, name string, ttl time.Duration) (func(), func(context.Context) error, error) {
	conn, err := b.db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	discard := func() {
		// a connection in an unknown state must not go back to the pool
		// holding a lock: close it, and the server frees the lock
		conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
	}
	ttlSecs := int64(math.Ceil(ttl.Seconds()))
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET SESSION wait_timeout = %d", max(ttlSecs, 1))); err != nil {
		discard()
		return nil, nil, err
	}
	wait := ttlSecs
	if dl, ok := ctx.Deadline(); ok {
		wait = int64(math.Ceil(time.Until(dl).Seconds()))
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", name, max(wait, 0)).Scan(&got); err != nil {
		discard()
		return nil, nil, err
	}
	if !got.Valid || got.Int64 != 1 {
		discard()
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("gindance/sqlstore: timed out waiting for the refresh lock: %w", context.DeadlineExceeded)
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := conn.ExecContext(rctx, "DO RELEASE_LOCK(?)", name)
			if err == nil {
				_, err = conn.ExecContext(rctx, "SET SESSION wait_timeout = @@GLOBAL.wait_timeout")
			}
			if err != nil {
				discard()
				return
			}
			conn.Close()
		})
	}
	timer := time.AfterFunc(ttl, release)
	return func() {
			timer.Stop()
			release()
		}, func(ctx context.Context) error {
			_, err := conn.ExecContext(ctx, "DO 1")
			return err
		}, nil
}
