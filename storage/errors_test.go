package storage

import (
	"errors"
	"strings"
	"testing"
)

func TestUnavailableRedactsPasswords(t *testing.T) {
	for _, msg := range []string{
		`dial postgres://app:s3cret@db:5432/x failed`,
		`cannot parse host=db password=s3cret user=app`,
		`bad dsn app:s3cret@tcp(db:3306)/x`,
		`redis://:s3cret@cache:6379 refused`,
	} {
		err := Unavailable("get", errors.New(msg))
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%q: message %q keeps the password", msg, err)
		}
		if !errors.Is(err, ErrStoreUnavailable) {
			t.Errorf("%q: does not wrap ErrStoreUnavailable", msg)
		}
	}
	inner := errors.New("boom")
	if err := Unavailable("set", inner); !errors.Is(err, inner) {
		t.Fatal("does not wrap the driver error")
	}
	if Unavailable("get", nil) != nil {
		t.Fatal("nil became an error")
	}
}

func TestRedactKeepsTheRest(t *testing.T) {
	got := Redact("dial postgres://app:s3cret@db:5432/x failed")
	if got != "dial postgres://app:REDACTED@db:5432/x failed" {
		t.Fatalf("got %q", got)
	}
}
