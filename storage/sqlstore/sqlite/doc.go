// Package sqlite opens an SQLite database file for storage/sqlstore with
// modernc.org/sqlite, a pure-Go driver (no cgo): a file path is all an app
// needs to keep tokens server-side.
//
// The database is opened in WAL mode with a busy timeout, so that readers
// do not block the writer and concurrent writers wait for each other
// instead of failing with SQLITE_BUSY.
package sqlite
