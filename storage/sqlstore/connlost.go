package sqlstore

import (
	"context"
	"errors"
	"strings"
)

// maxAttempts bounds how many connections one operation tries when each
// fails because the server had ended it. A connection that failed so is
// discarded by database/sql, so the next attempt takes another idle one or
// opens a new one; after a restart or failover every idle connection of the
// pool is dead at once, and pools kept larger than database/sql's default of
// two (SetMaxIdleConns) hold more of them.
const maxAttempts = 64

// connectionLost reports whether err says that the server had ended the
// connection the statement was sent on: PostgreSQL's admin_shutdown and
// crash_shutdown (57P01, 57P02: a restart, a failover, pg_terminate_backend)
// and connection exceptions (class 08), read through the SQLState method of
// the driver's error (pgx's and lib/pq's have one). database/sql tries
// another connection only when the driver says driver.ErrBadConn; pgx says so
// for a connection it finds dead before using it, which it checks only after
// a second idle, so the first statement on a connection killed while it sat
// in the pool for less fails with 57P01. MySQL's driver checks every idle
// connection before use, so a MySQL statement fails only when the connection
// ends while it runs, and is not retried here.
func connectionLost(err error) bool {
	var st interface{ SQLState() string }
	if !errors.As(err, &st) {
		return false
	}
	code := st.SQLState()
	return code == "57P01" || code == "57P02" || strings.HasPrefix(code, "08")
}

// again runs op, and runs it again while it failed because its connection
// had been ended by the server (connectionLost), ctx is not done and fewer
// than maxAttempts connections were tried. Only operations that may run
// twice go through it: a read, an upsert or delete of the same row, taking a
// lock that went with the failed connection.
func again(ctx context.Context, op func() error) error {
	err := op()
	for n := 1; n < maxAttempts && connectionLost(err) && ctx.Err() == nil; n++ {
		err = op()
	}
	return err
}
