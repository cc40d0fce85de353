package bench

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/memstore"
	sessionredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// heapLogins is how many browsers log in for TestRetainedHeap (-short:
// heapLoginsShort).
const (
	heapLogins      = 10000
	heapLoginsShort = 1000
)

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// sessionStoreFlow is gindance's flow on a server-side session store: the
// browser holds a session id, the store holds the session's values.
// inSession is PendingLoginsInSession (false: the default, each pending
// login in a sealed cookie of its own).
func sessionStoreFlow(p *provider, store sessions.Store, inSession bool) *flow {
	cfg := p.oauth2Config("fake")
	cfg.PendingLoginsInSession = inSession
	bp := blueprint.NewOAuth2("fake", cfg)
	r := gin.New()
	r.Use(sessions.Sessions(sessionName, store))
	bp.Mount(r.Group("/login"))
	return &flow{engine: r, loginPath: "/login/fake", p: p}
}

// heapStore is a server-side session store under test: make returns a
// fresh, empty one, and a function that reports what the store keeps
// outside the process (keys and bytes; nil for a store in the process).
type heapStore struct {
	name string
	make func(t *testing.T) (sessions.Store, func(t *testing.T) (keys int, bytes int64))
}

// newMemstore is gin-contrib's memstore: the sessions are in the process.
func newMemstore(*testing.T) (sessions.Store, func(*testing.T) (int, int64)) {
	return memstore.NewStore(hashKey, blockKey), nil
}

// newRedisSessionStore is gin-contrib's redis store under a prefix of its
// own (deleted afterwards): the sessions are in Redis, whose memory for
// them is the sum of MEMORY USAGE over the prefix's keys.
func newRedisSessionStore(t *testing.T) (sessions.Store, func(*testing.T) (int, int64)) {
	addr := service(t, "GINDANCE_REDIS_ADDR", "Redis")
	c := redis.NewClient(&redis.Options{Addr: addr})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		unavailable(t, "Redis at "+addr, err)
	}
	prefix := "gindance-bench-heap:" + uniqueSuffix() + ":"
	t.Cleanup(func() { deletePrefix(c, prefix); c.Close() })
	store, err := sessionredis.NewStore(10, "tcp", addr, "", "", hashKey, blockKey)
	if err != nil {
		unavailable(t, "Redis at "+addr, err)
	}
	if err := sessionredis.SetKeyPrefix(store, prefix); err != nil {
		t.Fatal(err)
	}
	return store, func(t *testing.T) (keys int, bytes int64) {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			n, err := c.MemoryUsage(ctx, iter.Val(), 0).Result()
			if err != nil {
				t.Fatalf("MEMORY USAGE %s: %v", iter.Val(), err)
			}
			keys, bytes = keys+1, bytes+n
		}
		if err := iter.Err(); err != nil {
			t.Fatalf("SCAN %s*: %v", prefix, err)
		}
		return keys, bytes
	}
}

// retainedFigures is what one TestRetainedHeap case measured, per browser.
type retainedFigures struct {
	app, plain  float64 // bytes of the process's live heap (see retained)
	keys, bytes float64 // what the store keeps outside the process
	outside     bool    // keys and bytes were measured
}

// retained runs n logins from n browsers without cookies on a fresh app
// with the store: only the login start (complete false: n pending logins),
// or the whole login (a logged-in user each, the token in the session).
// app is the heap the app retains per login: live heap with the app minus
// live heap once the app, and its store with it, is unreachable (the
// in-process fake provider's own records of the logins are in neither
// figure, so not in the difference); plain is the before/after difference,
// which includes them.
func retained(t *testing.T, n int, hs heapStore, inSession, complete bool) retainedFigures {
	p := newProvider(gintest.Options{AllowMissingPKCE: true})
	store, outside := hs.make(t)
	f := sessionStoreFlow(p, store, inSession)
	before := heapInUse()
	for range n {
		if !complete {
			w := newDiscard()
			f.start(w)
			if w.code != http.StatusFound {
				t.Fatalf("login start: %d", w.code)
			}
			continue
		}
		jar, target := f.pending(t)
		w := httptest.NewRecorder()
		f.engine.ServeHTTP(w, callbackRequest(jar, target))
		if w.Code != http.StatusFound || w.Header().Get("Location") != "/" {
			t.Fatalf("callback: %d %s", w.Code, w.Body.String())
		}
	}
	with := heapInUse()
	var fig retainedFigures
	if outside != nil {
		keys, bytes := outside(t)
		fig.keys, fig.bytes, fig.outside = float64(keys)/float64(n), float64(bytes)/float64(n), true
	}
	runtime.KeepAlive(f)
	f, store = nil, nil
	without := heapInUse()
	runtime.KeepAlive(p)
	fig.app = perBrowser(float64(with)-float64(without), n)
	fig.plain = perBrowser(float64(with)-float64(before), n)
	return fig
}

// perBrowser is d over n, with what rounds to 0 B reported as 0 rather
// than as -0 for a collection that freed a few bytes more.
func perBrowser(d float64, n int) float64 {
	if v := d / float64(n); math.Abs(v) >= 0.5 {
		return v
	}
	return 0
}

// TestRetainedHeap reports (does not assert: the figures depend on the Go
// and Redis versions) what a server-side session store holds per pending
// login and per logged-in user over heapLogins logins: gin-contrib's
// memstore, in the process's heap (runtime.ReadMemStats after a
// collection), and its redis store, in Redis (MEMORY USAGE of its keys) and
// in the process.
func TestRetainedHeap(t *testing.T) {
	n := heapLogins
	if testing.Short() {
		n = heapLoginsShort
	}
	for _, hs := range []heapStore{{"memstore", newMemstore}, {"redis", newRedisSessionStore}} {
		t.Run(hs.name, func(t *testing.T) {
			for _, c := range []struct {
				name      string
				inSession bool
				complete  bool
			}{
				{"pending login, default (its own cookie)", false, false},
				{"pending login, PendingLoginsInSession", true, false},
				{"logged-in user, default", false, true},
				{"logged-in user, PendingLoginsInSession", true, true},
			} {
				fig := retained(t, n, hs, c.inSession, c.complete)
				t.Logf("%s, %s: %.0f B retained per browser by the app (%d logins; before/after difference, the in-process provider's records included: %.0f B)",
					hs.name, c.name, fig.app, n, fig.plain)
				if fig.outside {
					t.Logf("%s, %s: %.2f keys and %.0f B (MEMORY USAGE) kept in the store per browser",
						hs.name, c.name, fig.keys, fig.bytes)
				}
			}
		})
	}
}
