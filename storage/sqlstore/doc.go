// Package sqlstore keeps tokens in one SQL table through database/sql, for
// SQLite (modernc.org/sqlite, pure Go: see storage/sqlstore/sqlite),
// PostgreSQL (github.com/jackc/pgx/v5/stdlib) and MySQL or MariaDB
// (github.com/go-sql-driver/mysql). It imports no driver: the app opens the
// *sql.DB with the driver it chose.
//
// The table (gindance_tokens by default) has one row per provider and user
// key:
//
//	provider    the blueprint's name
//	user_key    the app's user id (or "anonymous:" + a browser id)
//	token       the token: blueprint.MarshalToken's JSON, or sealed by storage/encrypt
//	created_at  when the row was first written
//	updated_at  when the token was last replaced (login, refresh)
//	PRIMARY KEY (provider, user_key)
//
// Migrate creates it; it is idempotent and safe to run from several
// instances at once. Set replaces a token with one atomic upsert (INSERT ...
// ON CONFLICT / ON DUPLICATE KEY UPDATE), never delete-then-insert.
//
// Refreshes are coordinated between instances through the database: a
// transaction-scoped advisory lock on PostgreSQL (pg_advisory_xact_lock,
// with idle_in_transaction_session_timeout so a hung holder is cut off after
// the lock TTL) and a named lock on MySQL/MariaDB (GET_LOCK, on a session
// whose wait_timeout is the lock TTL). On SQLite, a single file used by one
// process, the lock is local to the process.
//
// The lock holds a connection of the pool while the token is re-read and
// written on others: a pool limited to one connection (db.SetMaxOpenConns(1))
// would wait for itself until the store's timeout. Allow at least two.
//
// # Restarts and failovers
//
// A database restart, a failover or an administrator ends the connections
// in the app's pool. An operation whose statement fails because the server
// had ended its connection (PostgreSQL's 57P01 and 57P02, connection
// exceptions of class 08) runs again on another connection within the
// store's timeout, so the first requests after a failover do not fail for
// a connection that was dead before they started; a statement that was
// running when its connection ended is retried likewise, as every
// operation retried (a read, an upsert, a delete, taking the lock) may run
// twice. MySQL's driver checks idle connections before use, so there only
// a connection ended during a statement fails it, and that is not retried.
//
// database/sql keeps two idle connections by default: under more
// concurrent requests than that, most store operations open a new
// connection (on PostgreSQL, a new server process each), and during a burst
// of them one connection may take longer than the store's timeout to open.
// Size the pool to the app's concurrency: db.SetMaxIdleConns(n) with n about
// the number of requests served at once.
package sqlstore
