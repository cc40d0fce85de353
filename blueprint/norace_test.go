//go:build !race

package blueprint_test

// raceEnabled reports whether the race detector is on; this file and
// race_test.go are one pair chosen by the race build tag (see there).
const raceEnabled = false
