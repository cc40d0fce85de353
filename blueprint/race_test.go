//go:build race

package blueprint_test

// raceEnabled scales the load and flood tests down under the race detector,
// which slows every request about tenfold and allows at most 8128 live
// goroutines (each concurrent request over loopback takes several).
const raceEnabled = true
