package blueprint

import (
	"strconv"
	"testing"
	"time"
)

// A login is taken once within its lifetime; the memory forgets it after
// that, and beyond maxUsedLogins it forgets the oldest first.
func TestUsedLoginsClaimOnceWithinTheirLifetime(t *testing.T) {
	var u usedLogins
	t0 := time.Unix(1_800_000_000, 0)
	ttl := 10 * time.Minute
	a, b := hashState("a"), hashState("b")
	if !u.claim(a, t0, ttl) || u.claim(a, t0.Add(ttl), ttl) {
		t.Fatal("a login was not single use within its lifetime")
	}
	if !u.claim(b, t0.Add(time.Minute), ttl) {
		t.Fatal("another login was refused")
	}
	if !u.claim(a, t0.Add(ttl+time.Second), ttl) {
		t.Fatal("a key was remembered past the login lifetime")
	}
	if len(u.at) != 2 || len(u.order) != 2 {
		t.Fatalf("kept %d keys (%d in order), want b and a's new use", len(u.at), len(u.order))
	}

	var full usedLogins
	key := func(i int) stateHash { return hashState(strconv.Itoa(i)) }
	for i := range maxUsedLogins + 1 {
		full.claim(key(i), t0, ttl)
	}
	if len(full.at) != maxUsedLogins || full.claim(key(2), t0, ttl) || !full.claim(key(0), t0, ttl) || !full.claim(key(1), t0, ttl) {
		t.Fatalf("at the bound: %d keys; the oldest should be forgotten first, and only to make room", len(full.at))
	}
}
