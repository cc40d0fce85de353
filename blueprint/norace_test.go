//go:build !race

package blueprint_test

// raceEnabled: see race_test.go.
const raceEnabled = false
