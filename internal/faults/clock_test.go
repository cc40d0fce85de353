package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/redisstore"
	"github.com/gindance/gindance/storage/storagetest"
)

// skewClock is the provider's clock, which the test advances, and the
// replicas' clocks, each off it by a fixed skew.
type skewClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *skewClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *skewClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// skewed returns a clock off c by skew.
func (c *skewClock) skewed(skew time.Duration) func() time.Time {
	return func() time.Time { return c.Now().Add(skew) }
}

// Timings of the clock-skew test: tokens live skewLifetime at the provider
// and are refreshed within skewLeeway of their expiry; one replica's clock
// runs skewAhead ahead of the provider's, one as far behind, one is right.
const (
	skewLifetime = 5 * time.Minute
	skewLeeway   = time.Minute
	skewAhead    = 2 * time.Minute
	skewStep     = 10 * time.Second // the provider's clock moves by it between rounds of calls
	skewRun      = 30 * time.Minute // of the provider's clock
	skewBlock    = 4 * time.Minute  // a sticky user's time on one replica
)

// skewStallBound is the longest a replica may keep believing good a token
// the provider expired: Token.Expiry is absolute in the shared store, written
// by whichever replica refreshed, and compared with each replica's own
// clock. A token refreshed by the replica ahead carries an expiry that
// late; the replica behind reads it that much later again, and refreshes
// RefreshLeeway before what it believes: 2 × 2 min − 60 s, plus one step.
// Its users see none of it: the API's 401 invalid_token for such a token is
// answered with a refresh and the call sent again (refresh on 401), so the
// bound on what users see is 0.
const skewStallBound = 2*skewAhead - skewLeeway + skewStep

// Invariant, with three replicas sharing Redis whose clocks are +2 min,
// −2 min and right against the provider's, tokens of 5 min refreshed in
// their last 60 s, rotating refresh tokens, and every replica calling the
// API for every user several times at once in each 10 s step of the
// provider's clock for 30 min: no refresh storm (refreshes per user
// bounded by the expiry periods, not the requests), no refresh token used
// twice, no token lost, and no request failing: a replica that presents a
// token the provider expired gets the API's 401 invalid_token, refreshes
// and sends the call again, so no user gets that 401.
func TestFaultClockSkewBetweenReplicasAndProvider(t *testing.T) {
	faultSuite(t)
	users, perCall := 4, 3
	if raceEnabled {
		users, perCall = 2, 2
	}
	skews := []time.Duration{skewAhead, -skewAhead, 0}
	clock := &skewClock{now: time.Now().Truncate(time.Second)}
	p := gintest.StartProvider(gintest.Options{TokenLifetime: skewLifetime, RotateRefreshTokens: true, Now: clock.Now})
	t.Cleanup(p.Close)
	rs := startRedis(t, false)
	scfg := redisstore.Config{Config: storage.Config{User: storagetest.User, Timeout: storeTimeout, LockTTL: lockTTL}}
	w := &world{t: t, p: p, hc: &http.Client{Timeout: 4 * hangBound}}
	t.Cleanup(w.hc.CloseIdleConnections)
	var first blueprint.Storage
	for _, skew := range skews {
		s := redisstore.New(rs.client(t), scfg)
		if first == nil {
			first, w.store = s, s
		}
		cfg := p.OAuth2Config()
		cfg.Now, cfg.ProviderTimeout, cfg.RefreshLeeway = clock.skewed(skew), providerTimeout, skewLeeway
		b := blueprint.NewOAuth2("fake", cfg)
		b.SetStorage(s)
		srv := httptest.NewServer(replicaEngine(b))
		t.Cleanup(srv.Close)
		w.urls = append(w.urls, srv.URL)
	}
	for i := range users {
		u := fmt.Sprintf("user-%d", i)
		w.users = append(w.users, u)
		access, refresh := p.IssueToken(u, skewLifetime)
		tok := &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", Expiry: clock.Now().Add(skewLifetime)}
		if err := first.Set(storagetest.Request(u), "fake", tok); err != nil {
			t.Fatalf("seeding %s: %v", u, err)
		}
	}

	tl := &tally{}
	stalled := make(map[[2]int]time.Time) // replica, user: since when its calls get the API's 401
	var longest time.Duration
	var longestAt string
	round := func(r, u int, wg *sync.WaitGroup, mu *sync.Mutex, elapsed time.Duration) {
		for range perCall {
			wg.Go(func() {
				class, detail, took := w.call(context.Background(), r, w.users[u])
				tl.add(class, detail, took)
				mu.Lock()
				defer mu.Unlock()
				key := [2]int{r, u}
				if class != "other" { // "other: API answered 401": the provider expired the token and refresh on 401 did not mend it
					delete(stalled, key)
					return
				}
				since, ok := stalled[key]
				if !ok {
					since = clock.Now()
					stalled[key] = since
				}
				if d := clock.Now().Sub(since) + skewStep; d > longest {
					longest, longestAt = d, fmt.Sprintf("replica %+v, %s, %v into the run", skews[r], w.users[u], elapsed)
				}
			})
		}
	}
	for step := 0; time.Duration(step)*skewStep < skewRun; step++ {
		elapsed := time.Duration(step) * skewStep
		var mu sync.Mutex
		var wg sync.WaitGroup
		for u := range w.users {
			if u%2 == 0 { // spread: every replica, at once
				for r := range w.urls {
					round(r, u, &wg, &mu, elapsed)
				}
				continue
			}
			// sticky: one replica serves the user for skewBlock, then the
			// next (ahead, behind, right, ...), as a load balancer with
			// affinity that moves the user on
			round((step/int(skewBlock/skewStep)+u/2)%len(w.urls), u, &wg, &mu, elapsed)
		}
		wg.Wait()
		clock.advance(skewStep)
	}

	refreshes := p.Calls(gintest.EndpointRefresh)
	// A token written by a replica with clock skew sW looks expired to a
	// replica with skew sR after lifetime - leeway + sW - sR: at once when
	// the one behind wrote it and the one ahead reads it, but the token
	// the one ahead writes then lasts the full lifetime - leeway for
	// everyone. So at most two refreshes per user per lifetime - leeway; a
	// storm would be one per request.
	period := skewLifetime - skewLeeway
	limit := users * 2 * (int(skewRun/period) + 1)
	if refreshes > limit {
		t.Errorf("%d refreshes for %d users in %v of skewed clocks, want at most %d: a refresh storm", refreshes, users, skewRun, limit)
	}
	if longest > 0 {
		t.Errorf("users of a replica got the API's 401 for an expired token for %v (%s); refresh on 401 should have answered each", longest, longestAt)
	}
	// Every stored token is then past what any replica believes, so a
	// token that does not work now was lost, not stalled.
	clock.advance(skewLifetime + skewStallBound)
	w.checkInvariants("clock skew ±2 min", tl)
	t.Logf("FAULTS clock skew: %d refreshes for %d users over %v of the provider's clock (bound %d; one per user and %v would be %d); %d API calls answered 401 for an expired token; longest users of a replica got it: %v (%s), bound 0 (refresh on 401; without it up to %v)",
		refreshes, users, skewRun, limit, period, users*int(skewRun/period), tl.n("other"), longest, longestAt, skewStallBound)
}
