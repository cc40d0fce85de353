package faults_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/storagetest"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	redis.SetLogger(quietRedis{})
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(runChild(mode))
	}
	os.Exit(m.Run())
}

// Timings every fault test shares. Tokens live tokenLifetime and are
// refreshed within refreshLeeway of their expiry, so each user's token is
// refreshed about once a second while the load runs.
const (
	storeTimeout    = 500 * time.Millisecond  // storage.Config.Timeout
	lockTTL         = 4500 * time.Millisecond // storage.Config.LockTTL: the least blueprint.Validate allows, providerTimeout + 3*storeTimeout
	providerTimeout = 3 * time.Second         // blueprint ProviderTimeout
	tokenLifetime   = 2 * time.Second
	refreshLeeway   = time.Second
	// hangBound is the longest a request may take: a lock wait, a read, a
	// provider call and a write, each bounded.
	hangBound = lockTTL + 3*storeTimeout + providerTimeout + time.Second
)

// loadSize is how many users the load spreads over, how many requests are
// in flight at once, and for how long it runs. Small under -race (which
// slows every request about tenfold); .ci/run runs the full size in a step
// without it.
type loadSize struct {
	users, workers int
	duration       time.Duration
}

func sizes() loadSize {
	if raceEnabled {
		return loadSize{users: 8, workers: 8, duration: 3 * time.Second}
	}
	return loadSize{users: 40, workers: 32, duration: 6 * time.Second}
}

// world is a fake provider that rotates refresh tokens and counts reuses,
// two app replicas, each a Gin engine on its own loopback port with its
// own blueprint and store value, and users whose tokens are in the store.
type world struct {
	t     *testing.T
	store blueprint.Storage // the first replica's store, read directly by the checks
	p     *gintest.Provider
	urls  []string
	users []string
	hc    *http.Client
}

// newWorld starts the provider and one replica per store; the stores must
// share one backend, with storagetest.User as their user function.
func newWorld(t *testing.T, users int, stores ...blueprint.Storage) *world {
	w := &world{t: t, store: stores[0]}
	w.p = gintest.StartProvider(gintest.Options{TokenLifetime: tokenLifetime, RotateRefreshTokens: true})
	t.Cleanup(w.p.Close)
	for _, s := range stores {
		w.urls = append(w.urls, startReplica(t, w.p, s))
	}
	w.hc = &http.Client{Timeout: 4 * hangBound, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	t.Cleanup(w.hc.CloseIdleConnections)
	for i := range users {
		u := fmt.Sprintf("user-%d", i)
		w.users = append(w.users, u)
		access, refresh := w.p.IssueToken(u, tokenLifetime)
		tok := &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
			Expiry: time.Now().Add(tokenLifetime)}
		if err := stores[0].Set(storagetest.Request(u), "fake", tok); err != nil {
			t.Fatalf("seeding %s: %v", u, err)
		}
	}
	return w
}

// newReplicaBlueprint is the blueprint every replica (and the child
// process) runs.
func newReplicaBlueprint(cfg blueprint.OAuth2Config, s blueprint.Storage) *blueprint.Blueprint {
	cfg.ProviderTimeout, cfg.RefreshLeeway = providerTimeout, refreshLeeway
	b := blueprint.NewOAuth2("fake", cfg)
	b.SetStorage(s)
	return b
}

// replicaEngine serves GET /me: the provider's answer for the user's token,
// or the error class: 503 store (ErrStoreUnavailable), 401 not authorized,
// 502 provider, 500 anything else.
func replicaEngine(b *blueprint.Blueprint) *gin.Engine {
	r := gin.New()
	b.Mount(r.Group("/login"))
	r.GET("/me", func(c *gin.Context) {
		resp, err := b.Client(c).Get("me")
		var pe *blueprint.ProviderError
		switch {
		case errors.Is(err, storage.ErrStoreUnavailable):
			c.String(http.StatusServiceUnavailable, "store: %v", err)
		case errors.Is(err, blueprint.ErrNotAuthorized):
			c.String(http.StatusUnauthorized, "unauthorized: %v", err)
		case errors.As(err, &pe):
			c.String(http.StatusBadGateway, "provider: %v", err)
		case err != nil:
			c.String(http.StatusInternalServerError, "other: %v", err)
		default:
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				c.String(http.StatusInternalServerError, "other: API answered %d %s", resp.StatusCode, body)
				return
			}
			c.String(http.StatusOK, "ok")
		}
	})
	return r
}

func startReplica(t *testing.T, p *gintest.Provider, s blueprint.Storage) string {
	srv := httptest.NewServer(replicaEngine(newReplicaBlueprint(p.OAuth2Config(), s)))
	t.Cleanup(srv.Close)
	return srv.URL
}

// tally counts what the load's requests saw.
type tally struct {
	mu      sync.Mutex
	counts  map[string]int // "ok", "store", "unauthorized", "provider", "other", "transport"
	first   map[string]string
	slowest time.Duration
}

func (tl *tally) add(class, detail string, took time.Duration) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.counts == nil {
		tl.counts, tl.first = map[string]int{}, map[string]string{}
	}
	tl.counts[class]++
	if _, ok := tl.first[class]; !ok {
		tl.first[class] = detail
	}
	tl.slowest = max(tl.slowest, took)
}

func (tl *tally) n(class string) int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return tl.counts[class]
}

func (tl *tally) total() int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	n := 0
	for _, v := range tl.counts {
		n += v
	}
	return n
}

// String lists the counts and the slowest request.
func (tl *tally) String() string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	var keys []string
	for k := range tl.counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d ", k, tl.counts[k])
	}
	fmt.Fprintf(&b, "slowest=%v", tl.slowest.Round(time.Millisecond))
	return b.String()
}

// firsts gives the first message of each failure class, one a line.
func (tl *tally) firsts() string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	var b strings.Builder
	for k, v := range tl.first {
		if k != "ok" {
			fmt.Fprintf(&b, "\n  first %s: %s", k, excerpt(v))
		}
	}
	return b.String()
}

func excerpt(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// call makes one request for user to replica i and classifies its answer.
func (w *world) call(ctx context.Context, i int, user string) (class, detail string, took time.Duration) {
	req, _ := http.NewRequestWithContext(ctx, "GET", w.urls[i]+"/me", nil)
	req.Header.Set(storagetest.UserHeader, user)
	start := time.Now()
	resp, err := w.hc.Do(req)
	took = time.Since(start)
	if err != nil {
		return "transport", err.Error(), took
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	class, _, _ = strings.Cut(string(body), ":")
	return class, string(body), took
}

// load runs size.workers clients, each calling a random replica for a
// random user, until the duration has passed, and returns the tally.
// during, when set, runs alongside (the fault) and load waits for it: the
// fault happens under the load by construction. The tests do not require
// that some request failed: on a loaded machine (the race detector, other
// builds) no request may be on a dead connection at the time, which is no
// bug; the FAULTS lines report how many failed.
func (w *world) load(size loadSize, during func()) *tally {
	tl := &tally{}
	ctx, cancel := context.WithTimeout(context.Background(), size.duration)
	defer cancel()
	var wg sync.WaitGroup
	for range size.workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				class, detail, took := w.call(context.Background(), rand.IntN(len(w.urls)), w.users[rand.IntN(len(w.users))])
				tl.add(class, detail, took)
			}
		})
	}
	if during != nil {
		wg.Go(during)
	}
	wg.Wait()
	return tl
}

// recoverBound is how long the check after a fault waits for the store to
// answer again: the first connections after an outage may each take longer
// than storeTimeout (PostgreSQL starts a backend per connection, and
// database/sql keeps only two idle ones by default, so a burst of requests
// opens many at once).
const recoverBound = 10 * time.Second

// lost checks every user's token once the fault is over and returns the
// users whose token the fault lost: the token is no longer in the store
// (read through it directly), or it is there and a replica cannot use it
// (the provider refused its refresh token, say). A store that does not
// answer yet is not a lost token: the read and each replica's request are
// tried again until recoverBound has passed, and the users whose store never
// answered come back in unavailable, which fails the test as an outage that
// did not end.
func (w *world) lost() (lost, unavailable []string) {
	deadline := time.Now().Add(recoverBound)
	retry := func(class string) bool {
		if class != "store" || time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
		return true
	}
users:
	for _, u := range w.users {
		var tok *blueprint.Token
		var err error
		for {
			tok, err = w.store.Get(storagetest.Request(u), "fake")
			if !errors.Is(err, storage.ErrStoreUnavailable) || !retry("store") {
				break
			}
		}
		switch {
		case errors.Is(err, storage.ErrStoreUnavailable):
			unavailable = append(unavailable, u+" (reading the store: "+excerpt(err.Error())+")")
			continue
		case err != nil:
			lost = append(lost, u+" (reading the store: "+excerpt(err.Error())+")")
			continue
		case tok == nil:
			lost = append(lost, u+" (no token in the store)")
			continue
		}
		for i := range w.urls {
			class, detail, _ := w.call(context.Background(), i, u)
			for retry(class) {
				class, detail, _ = w.call(context.Background(), i, u)
			}
			switch class {
			case "ok":
				continue
			case "store":
				unavailable = append(unavailable, u+" ("+excerpt(detail)+")")
			default:
				lost = append(lost, u+" ("+excerpt(detail)+")")
			}
			continue users
		}
	}
	return lost, unavailable
}

// checkInvariants asserts what every fault must leave: no request slower
// than hangBound, no failure outside allowed classes, no token lost, no
// refresh token used twice. It logs the figures for SECURITY.md.
func (w *world) checkInvariants(name string, tl *tally, allowed ...string) {
	t := w.t
	t.Helper()
	ok := map[string]bool{"ok": true}
	for _, a := range allowed {
		ok[a] = true
	}
	tl.mu.Lock()
	for class, n := range tl.counts {
		if !ok[class] {
			t.Errorf("%s: %d requests failed with %q (allowed: %v); first: %s", name, n, class, allowed, excerpt(tl.first[class]))
		}
	}
	slowest := tl.slowest
	tl.mu.Unlock()
	if slowest > hangBound {
		t.Errorf("%s: a request took %v, longer than the bound %v", name, slowest, hangBound)
	}
	if tl.n("ok") == 0 {
		t.Errorf("%s: no request succeeded", name)
	}
	lost, unavailable := w.lost()
	if len(lost) > 0 {
		t.Errorf("%s: %d of %d tokens lost: %v", name, len(lost), len(w.users), lost)
	}
	if len(unavailable) > 0 {
		t.Errorf("%s: the store still did not answer %v after the fault, for %d of %d users: %v",
			name, recoverBound, len(unavailable), len(w.users), unavailable)
	}
	reuses := w.p.RefreshReuses()
	if reuses > 0 {
		t.Errorf("%s: %d refreshes presented an already used refresh token (double refreshes)", name, reuses)
	}
	t.Logf("FAULTS %s: requests=%d %v | tokens lost=%d, double refreshes=%d, refreshes=%d%s",
		name, tl.total(), tl, len(lost), reuses, w.p.Calls(gintest.EndpointRefresh), tl.firsts())
}

// burst logs every user in again (a new, expired token in the store), then
// sends 10 concurrent requests per user split across the replicas. Each
// must succeed, and each token be refreshed exactly once: the refresh lock
// works. It returns the refreshes the burst made.
func (w *world) burst(s blueprint.Storage) int {
	t := w.t
	t.Helper()
	const perUser = 10
	for _, u := range w.users {
		access, refresh := w.p.IssueToken(u, -time.Minute)
		tok := &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", Expiry: time.Now().Add(-time.Minute)}
		if err := s.Set(storagetest.Request(u), "fake", tok); err != nil {
			t.Fatalf("seeding %s after the fault: %v", u, err)
		}
	}
	before, reuses := w.p.Calls(gintest.EndpointRefresh), w.p.RefreshReuses()
	tl := &tally{}
	var wg sync.WaitGroup
	for i := range perUser * len(w.users) {
		wg.Go(func() {
			class, detail, took := w.call(context.Background(), i%len(w.urls), w.users[i%len(w.users)])
			tl.add(class, detail, took)
		})
	}
	wg.Wait()
	if tl.n("ok") != perUser*len(w.users) {
		t.Errorf("burst after the fault: %v", tl)
	}
	refreshes := w.p.Calls(gintest.EndpointRefresh) - before
	if refreshes != len(w.users) {
		t.Errorf("burst after the fault: %d refreshes for %d users, want one each", refreshes, len(w.users))
	}
	if n := w.p.RefreshReuses() - reuses; n != 0 {
		t.Errorf("burst after the fault: %d double refreshes", n)
	}
	return refreshes
}

// quietRedis drops go-redis' log lines (each failed dial while Redis is
// down is one).
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

func sortDurations(d []time.Duration) { sort.Slice(d, func(i, j int) bool { return d[i] < d[j] }) }
