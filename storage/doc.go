// Package storage is what the server-side token stores of gindance share:
// whose token a request means (UserFunc, anonymous visitors), encryption at
// rest (Sealer), the refresh lock for apps that run several instances, and
// the errors a store reports.
//
// A Store turns a Backend (bytes by provider and user key: a SQL table, Redis,
// a map) into a blueprint.Storage and a blueprint.RefreshLocker. The backends
// that ship with gindance are storage/memory, storage/sqlstore (SQLite,
// PostgreSQL, MySQL/MariaDB) and storage/redisstore; storage/encrypt seals
// tokens with AES-256-GCM; storage/storagetest is the conformance suite every
// backend passes, yours included.
//
// # Whose token
//
// Config.User returns the app's own user id for a request (from its session,
// a JWT, ...). A user may link several providers: the token is kept per
// provider (the blueprint's name) and user key, and a new login replaces that
// user's token for that provider. When User returns "", the request has no
// token (Require sends it to the login), and at the end of a login the store
// either refuses with ErrUserRequired (the default: the login ends in OnError
// and nothing is stored) or, with Config.Anonymous, keys the token to a random
// per-browser id kept in the session (blueprint.BrowserID).
//
// The user function runs when the token is stored at the end of a login,
// after the blueprint's OnLogin hooks: an OnLogin hook that finds or creates
// the app's user and logs them in (puts their id in the session) makes the
// token theirs.
//
// # Failures
//
// A backend that is down or slow fails the operation with an error wrapping
// ErrStoreUnavailable (and the driver's error, without DSNs or passwords);
// the blueprint hands it to OnError or returns it from Client. A token is
// never half-written: every backend replaces a token in one atomic step.
package storage
