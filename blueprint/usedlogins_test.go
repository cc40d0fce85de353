package blueprint

import (
	"strconv"
	"testing"
	"time"
)

// A login is taken once within its lifetime; the memory forgets it after
// that, and beyond maxUsedLogins it forgets the oldest first, only to make
// room.
func TestUsedLoginsClaimOnceWithinTheirLifetime(t *testing.T) {
	ttl := 10 * time.Minute
	var u usedLogins
	u.init(ttl)
	t0 := time.Unix(1_800_000_000, 0)
	a, b := hashState("a"), hashState("b")
	if !u.claim(a, t0) || u.claim(a, t0.Add(ttl-time.Second)) {
		t.Fatal("a login was not single use within its lifetime")
	}
	if !u.claim(b, t0.Add(time.Minute)) {
		t.Fatal("another login was refused")
	}
	if !u.claim(a, t0.Add(ttl+time.Second)) {
		t.Fatal("a key was remembered past the login lifetime")
	}
	if len(u.used.m) != 2 || len(u.used.order) != 2 {
		t.Fatalf("kept %d keys (%d in order), want b and a's new use", len(u.used.m), len(u.used.order))
	}

	var full usedLogins
	full.init(ttl)
	key := func(i int) stateHash { return hashState(strconv.Itoa(i)) }
	for i := range maxUsedLogins + 1 {
		full.claim(key(i), t0)
	}
	if len(full.used.m) != maxUsedLogins || full.claim(key(2), t0) || !full.claim(key(0), t0) || !full.claim(key(1), t0) {
		t.Fatalf("at the bound: %d keys; the oldest should be forgotten first, and only to make room", len(full.used.m))
	}
}
