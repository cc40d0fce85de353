package faults_test

import (
	"testing"

	"github.com/gindance/gindance/internal/testenv"
)

// faultSuite skips a fault test unless GINDANCE_FAULTS is set (a failure
// under CI=true): the suite takes about a minute, too long for the
// go test ./... a developer runs after each change. .ci/run sets it.
func faultSuite(t *testing.T) {
	t.Helper()
	testenv.Long(t, testenv.FaultsEnv, "the fault suite (services broken under load, about a minute)")
}
