package storage

import (
	"errors"
	"fmt"
	"regexp"
)

var (
	// ErrUserRequired means the user function found no user for a request
	// that stores a token (the end of a login) and the store is not in
	// anonymous mode: nothing was stored. Reading finds no token instead.
	ErrUserRequired = errors.New("gindance/storage: no user for this request: the token store requires a logged-in user (Config.User returned none)")

	// ErrStoreUnavailable means the database or Redis behind the store failed
	// or timed out. The error wraps it as well as the driver's error.
	ErrStoreUnavailable = errors.New("gindance/storage: token store unavailable")
)

// UnavailableError is the error a Store returns when its backend failed: it
// wraps ErrStoreUnavailable and the backend's error. Its message never
// carries a token; passwords in URLs or key=value form are redacted.
type UnavailableError struct {
	Op  string // "get", "set", "delete", "lock", "migrate"
	Err error  // the backend's error
}

// Error names the operation and the backend's error, passwords redacted.
func (e *UnavailableError) Error() string {
	return fmt.Sprintf("%s: %s: %s", ErrStoreUnavailable, e.Op, Redact(e.Err.Error()))
}

// Unwrap returns ErrStoreUnavailable and the backend's error.
func (e *UnavailableError) Unwrap() []error { return []error{ErrStoreUnavailable, e.Err} }

// Unavailable wraps a backend error for op as an *UnavailableError; nil
// stays nil, and an error that already wraps ErrStoreUnavailable is returned
// as is. Backends use it for every driver error.
func Unavailable(op string, err error) error {
	if err == nil || errors.Is(err, ErrStoreUnavailable) {
		return err
	}
	return &UnavailableError{Op: op, Err: err}
}

var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(://[^:/@\s]*:)[^@\s]*(@)`),             // scheme://user:password@
	regexp.MustCompile(`(?i)(password\s*=\s*)(?:'[^']*'|\S+)`),  // key=value DSNs
	regexp.MustCompile(`([A-Za-z0-9_.-]+:)[^@\s()/]+(@tcp\()`),  // MySQL user:password@tcp(
	regexp.MustCompile(`([A-Za-z0-9_.-]+:)[^@\s()/]+(@unix\()`), // MySQL user:password@unix(
}

// Redact removes passwords from a message that may quote a DSN.
func Redact(s string) string {
	for _, re := range secretPatterns {
		s = re.ReplaceAllString(s, "${1}REDACTED${2}")
	}
	return s
}

// ErrNoSessionIndex means the store's backend cannot find tokens by
// OpenID Connect session: it is not a SessionBackend.
var ErrNoSessionIndex = errors.New("gindance/storage: the backend cannot find tokens by session (not a storage.SessionBackend)")
