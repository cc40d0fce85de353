//go:build !race

package faults_test

// raceEnabled: see race_test.go.
const raceEnabled = false
