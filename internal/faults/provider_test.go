package faults_test

import (
	"testing"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// Invariant, for a provider that slows down (within and past the provider
// timeout), drops connections, or answers 429 with Retry-After or 503 in
// the middle of a storm of refreshes on two replicas: no request past its
// bounds; failures are *ProviderError only (never "not logged in": only
// invalid_grant forgets a token); afterwards every token works (tokens
// lost = 0) and no refresh token was used twice; and a 429, a 503, a
// dropped connection or a timeout costs each replica at most one refresh
// per token per Retry-After (or DefaultRefreshBackoff), however many
// requests keep coming.
func TestFaultProviderMisbehavesDuringStorm(t *testing.T) {
	faultSuite(t)
	size := sizes()
	const retryAfter = time.Second
	for _, tc := range []struct {
		name    string
		failure gintest.Failure
		backoff time.Duration // >0: the refreshes the fault may cost are bounded by it
	}{
		{"slow within the timeout", gintest.Failure{TokenDelay: 300 * time.Millisecond}, 0},
		{"slow past the timeout", gintest.Failure{TokenDelay: 2 * providerTimeout}, blueprint.DefaultRefreshBackoff},
		{"dropped connections", gintest.Failure{TokenDrop: true}, blueprint.DefaultRefreshBackoff},
		{"429 with Retry-After", gintest.Failure{TokenStatus: 429, TokenRetryAfter: retryAfter}, retryAfter},
		{"503", gintest.Failure{TokenStatus: 503}, blueprint.DefaultRefreshBackoff},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := startRedis(t, false)
			a, b := redisReplicas(t, rs)
			w := newWorld(t, size.users, a, b)
			f := tc.failure
			f.ErrorOnGrant = "refresh_token"
			window := size.duration / 2
			var during int
			tl := w.load(size, func() {
				time.Sleep(size.duration / 4)
				before := w.p.Calls(gintest.EndpointRefresh)
				w.p.Fail(f)
				time.Sleep(window)
				w.p.Fail(gintest.Failure{})
				during = w.p.Calls(gintest.EndpointRefresh) - before
			})
			if tc.backoff > 0 {
				limit := len(w.urls) * len(w.users) * (int(window/tc.backoff) + 1)
				if during > limit {
					t.Errorf("%d refresh calls during the %v of %s, want at most %d (one per token, replica and back-off)",
						during, window, tc.name, limit)
				}
			}
			switch {
			case f.TokenDelay > 0 && f.TokenDelay < providerTimeout:
				if tl.slowest < f.TokenDelay { // a slow provider within the timeout only makes requests slower
					t.Errorf("no request waited for the slow provider: %v", tl)
				}
			case tl.n("provider") == 0:
				t.Errorf("no request saw the fault: %v", tl)
			}
			time.Sleep(max(tc.backoff, 100*time.Millisecond)) // the last back-off ends
			w.checkInvariants("provider "+tc.name, tl, "provider")
			t.Logf("FAULTS provider %s: %d refresh calls while it lasted (%v)", tc.name, during, window)
		})
	}
}
