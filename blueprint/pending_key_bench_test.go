package blueprint

import "testing"

// BenchmarkDeriveLoginKey is one guess of an offline search for the client
// secret behind a default pending-login cookie: an attacker holding one
// cookie derives a candidate key per guessed secret (the name and client
// ID are public) and tries to open the cookie with it. Run with -cpu 1;
// guesses per second per core = 1e9 / ns/op.
func BenchmarkDeriveLoginKey(b *testing.B) {
	secret := []byte("sunshine1-sunshine1")
	b.ReportAllocs()
	for b.Loop() {
		deriveLoginKey(secret, "keycloak", "my-app")
	}
}
