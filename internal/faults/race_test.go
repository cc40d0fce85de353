//go:build race

package faults_test

// raceEnabled scales the fault loads down under the race detector.
const raceEnabled = true
