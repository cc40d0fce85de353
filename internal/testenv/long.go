package testenv

import (
	"os"
	"testing"
)

// Variables that turn on the long suites. go test ./... leaves them out, so
// that it stays a run of a minute or so that checks correctness; .ci/run
// sets them all.
const (
	// FaultsEnv runs the fault suite (internal/faults): real services
	// broken under load, about a minute.
	FaultsEnv = "GINDANCE_FAULTS"
	// LoadEnv runs the load test at full size (10,000 logins, 2,000
	// requests in flight); without it the test runs at a small size.
	LoadEnv = "GINDANCE_LOAD"
)

// Long skips a long-running test unless envVar is set, with a message naming
// the variable; under CI=true an unset variable fails the test instead, so
// CI cannot pass by leaving a suite out.
func Long(t testing.TB, envVar, what string) {
	t.Helper()
	if os.Getenv(envVar) != "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: CI=true runs %s (.ci/run sets it)", envVar, what)
	}
	t.Skipf("%s is not set: skipping %s; set %s=1 to run it (.ci/run does)", envVar, what, envVar)
}

// FullSize reports whether envVar asks for a test's full size. Without it
// the test runs at a small size and says so; under CI=true an unset variable
// fails the test, so CI cannot pass at the small size.
func FullSize(t testing.TB, envVar, what string) bool {
	t.Helper()
	if os.Getenv(envVar) != "" {
		return true
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: CI=true runs %s at full size (.ci/run sets it)", envVar, what)
	}
	t.Logf("%s is not set: running %s at a small size; set %s=1 for the full size (.ci/run does)", envVar, what, envVar)
	return false
}
