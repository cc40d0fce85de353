package presettest

import "testing"

// Logout calls Blueprint.Logout in the logged-in browser and returns the
// requests it made (the revocation, where the preset has one) and its
// error.
func (l *Login) Logout(t testing.TB) ([]Request, error) {
	t.Helper()
	err := l.logout(t)
	return l.rec.take(), err
}
