// Package testenv gives tests the addresses of the services they need (a
// database, Redis, a browser) from environment variables that .ci/run sets.
// On a developer's machine without the variable the test is skipped with a
// message naming it; under CI=true a missing service fails the test, so CI
// cannot pass by skipping.
package testenv

import (
	"os"
	"testing"
)

// Service returns the value of the environment variable that names a
// service's address, or skips the test (fails it under CI=true) when unset.
func Service(t testing.TB, envVar, what string) string {
	t.Helper()
	v := os.Getenv(envVar)
	if v != "" {
		return v
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: CI=true requires %s for this test (.ci/run sets it)", envVar, what)
	}
	t.Skipf("%s is not set: skipping the test that needs %s (.ci/run sets it)", envVar, what)
	return ""
}

// Unavailable reports that a configured service could not be reached: a
// skip on a developer's machine, a failure under CI=true.
func Unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is unavailable under CI=true: %v", what, err)
	}
	t.Skipf("%s is unavailable: %v", what, err)
}
