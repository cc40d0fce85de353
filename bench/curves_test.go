package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	_ "github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
	"github.com/gindance/gindance/storage/redisstore"
	"github.com/gindance/gindance/storage/sqlstore"
	"github.com/gindance/gindance/storage/sqlstore/sqlite"
)

// The curves: an authenticated API call (b.Client(c).Get against the stub
// API) at 1 to 1,000 concurrent requests, per server-side storage, with
// curveUsers users' tokens stored (or the counts in curveUsersEnv) and each
// request a different user's; and the same call with one token stored, to
// see whether a lookup stays flat.
const (
	curveUsers      = 10000
	curveUsersShort = 100 // -short
	curveUsersMax   = 1000000
	curveUsersEnv   = "GINDANCE_BENCH_USERS" // e.g. "10000,1000000"
	curveUserHeader = "X-Bench-User"
	curvePoolSize   = 20 // database connections per app, as an app would cap them
	curveSeedChunk  = 100000
)

var curveConcurrency = []int{1, 10, 100, 1000}

// curveUserCounts returns the stored-token counts to run at: curveUsersEnv's
// comma-separated ascending list, else curveUsers (curveUsersShort with
// -short, whatever the variable says).
func curveUserCounts(b *testing.B) []int {
	v := os.Getenv(curveUsersEnv)
	switch {
	case testing.Short():
		return []int{curveUsersShort}
	case v == "":
		return []int{curveUsers}
	}
	var counts []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 2 || n > curveUsersMax || (len(counts) > 0 && n <= counts[len(counts)-1]) {
			b.Fatalf("%s=%q: want ascending counts from 2 to %d, comma-separated", curveUsersEnv, v, curveUsersMax)
		}
		counts = append(counts, n)
	}
	return counts
}

// curveBackend is one storage under the curves: the store, and how to give
// users [from, to) copies of user 0's stored token quickly.
type curveBackend struct {
	store *storage.Store
	seed  func(ctx context.Context, provider string, from, to int) error
}

// curveStore opens storage kind with users named by curveUserHeader, or
// says why it cannot (a service skip outside CI).
func curveStore(b *testing.B, kind string) curveBackend {
	cfg := storage.Config{User: func(c *gin.Context) (string, error) { return c.GetHeader(curveUserHeader), nil }}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	table := "bench_curve_" + uniqueSuffix()
	openSQL := func(driver, env, what string) curveBackend {
		db, err := sql.Open(driver, service(b, env, what))
		if err == nil {
			err = db.PingContext(ctx)
		}
		if err != nil {
			unavailable(b, what, fmt.Errorf("%s", storage.Redact(err.Error())))
		}
		db.SetMaxOpenConns(curvePoolSize)
		s, err := sqlstore.New(db, sqlstore.Config{Config: cfg, Table: table})
		if err == nil {
			err = s.Migrate(ctx)
		}
		if err != nil {
			b.Fatalf("%s: %s", what, storage.Redact(err.Error()))
		}
		b.Cleanup(func() { db.Exec("DROP TABLE IF EXISTS " + table); db.Close() })
		return curveBackend{s.Store, func(ctx context.Context, p string, from, to int) error { return seedSQL(ctx, s, p, from, to) }}
	}
	switch kind {
	case "memory":
		s := memory.New(cfg)
		return curveBackend{s, func(ctx context.Context, p string, from, to int) error { return seedBackend(ctx, s, p, from, to) }}
	case "sqlite":
		s, err := sqlite.New(ctx, filepath.Join(b.TempDir(), "tokens.db"), sqlstore.Config{Config: cfg, Table: table})
		if err != nil {
			b.Fatalf("sqlite: %v", err)
		}
		b.Cleanup(func() { s.DB().Close() })
		return curveBackend{s.Store, func(ctx context.Context, p string, from, to int) error { return seedSQL(ctx, s, p, from, to) }}
	case "postgres":
		return openSQL("pgx", "GINDANCE_POSTGRES_DSN", "PostgreSQL")
	case "mysql":
		return openSQL("mysql", "GINDANCE_MYSQL_DSN", "MySQL")
	case "redis":
		addr := service(b, "GINDANCE_REDIS_ADDR", "Redis")
		c := redis.NewClient(&redis.Options{Addr: addr})
		if err := c.Ping(ctx).Err(); err != nil {
			unavailable(b, "Redis at "+addr, err)
		}
		prefix := "gindance-bench-curve:" + uniqueSuffix() + ":"
		b.Cleanup(func() { deletePrefix(c, prefix); c.Close() })
		s := redisstore.New(c, redisstore.Config{Config: cfg, Prefix: prefix})
		return curveBackend{s.Store, func(ctx context.Context, p string, from, to int) error { return seedRedis(ctx, c, s, p, from, to) }}
	}
	b.Fatalf("unknown storage %q", kind)
	return curveBackend{}
}

func curveUser(i int) string { return fmt.Sprintf("user-%06d", i) }

// runCurve serves b.N requests, users taken in turn from [0, users), by
// workers concurrent workers, and reports req/s and the p50 and p99
// latencies (ns) of one request.
func runCurve(b *testing.B, rc *requestCase, users, workers int) {
	reqs := make([]*http.Request, min(users, b.N))
	for i := range reqs {
		reqs[i] = httptest.NewRequest(http.MethodGet, "/api", nil)
		// spread over all the stored users, not the first len(reqs)
		reqs[i].Header.Set(curveUserHeader, curveUser(i*users/len(reqs)))
	}
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	t0 := time.Now()
	for range min(workers, b.N) {
		wg.Go(func() {
			w := newDiscard()
			for i := int(next.Add(1) - 1); i < b.N; i = int(next.Add(1) - 1) {
				req := new(http.Request)
				*req = *reqs[i%len(reqs)]
				w.reset()
				s := time.Now()
				rc.engine.ServeHTTP(w, req)
				lat[i] = time.Since(s)
				if w.code != http.StatusNoContent {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(t0)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed", n, b.N)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(percentile(lat, 50).Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(percentile(lat, 99).Nanoseconds()), "p99-ns")
}

// BenchmarkCurve is an authenticated API call per storage: with one token
// stored (users=1/c=1), then with each count of curveUserCounts stored at
// each concurrency in curveConcurrency. One op is one request; req/s, p50-ns
// and p99-ns are the curve's figures (bench/plot draws them).
func BenchmarkCurve(b *testing.B) {
	counts := curveUserCounts(b)
	for _, kind := range []string{"memory", "sqlite", "postgres", "mysql", "redis"} {
		b.Run(kind, func(b *testing.B) {
			cb := curveStore(b, kind)
			rc, err := storageCase(cb.store, func(bp *blueprint.Blueprint, tok *blueprint.Token) error {
				return cb.store.SetFor(context.Background(), bp.Name(), curveUser(0), tok)
			})
			if err != nil {
				b.Fatalf("seeding: %s", storage.Redact(err.Error()))
			}
			b.Run("users=1/c=1", func(b *testing.B) { runCurve(b, rc, 1, 1) })
			stored := 1
			for _, users := range counts {
				t0 := time.Now()
				if err := cb.seed(context.Background(), "idp", stored, users); err != nil {
					b.Fatalf("seeding users %d to %d: %s", stored, users, storage.Redact(err.Error()))
				}
				if tok, err := cb.store.GetFor(context.Background(), "idp", curveUser(users-1)); err != nil || tok == nil {
					b.Fatalf("the last seeded user's token reads back as %v, %v", tok, err)
				}
				if users >= curveSeedChunk {
					b.Logf("%s: seeded users %d to %d in %v", kind, stored, users, time.Since(t0).Round(time.Millisecond))
				}
				stored = users
				for _, n := range curveConcurrency {
					b.Run(fmt.Sprintf("users=%d/c=%d", users, n), func(b *testing.B) { runCurve(b, rc, users, n) })
				}
			}
		})
	}
}
