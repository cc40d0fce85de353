package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
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
// curveUsers users' tokens stored and each request a different user's; and
// the same call with one token stored, to see whether a lookup stays flat.
const (
	curveUsers      = 10000
	curveUsersShort = 100 // -short
	curveUserHeader = "X-Bench-User"
	curvePoolSize   = 20 // database connections per app, as an app would cap them
)

var curveConcurrency = []int{1, 10, 100, 1000}

// curveStore opens storage kind with users named by curveUserHeader, or
// says why it cannot (a service skip outside CI).
func curveStore(b *testing.B, kind string) *storage.Store {
	cfg := storage.Config{User: func(c *gin.Context) (string, error) { return c.GetHeader(curveUserHeader), nil }}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	table := "bench_curve_" + uniqueSuffix()
	openSQL := func(driver, env, what string) *storage.Store {
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
		return s.Store
	}
	switch kind {
	case "memory":
		return memory.New(cfg)
	case "sqlite":
		s, err := sqlite.New(ctx, filepath.Join(b.TempDir(), "tokens.db"), sqlstore.Config{Config: cfg, Table: table})
		if err != nil {
			b.Fatalf("sqlite: %v", err)
		}
		b.Cleanup(func() { s.DB().Close() })
		return s.Store
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
		return redisstore.New(c, redisstore.Config{Config: cfg, Prefix: prefix}).Store
	}
	b.Fatalf("unknown storage %q", kind)
	return nil
}

// seedUsers stores a live token for users [from, to), 16 at a time.
func seedUsers(b *testing.B, s *storage.Store, name string, from, to int) {
	var wg sync.WaitGroup
	var next atomic.Int64
	next.Store(int64(from))
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < to; i = int(next.Add(1) - 1) {
				if err := s.SetFor(context.Background(), name, curveUser(i), liveToken()); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatalf("seeding tokens: %s", storage.Redact(err.Error()))
	}
}

func curveUser(i int) string { return fmt.Sprintf("user-%06d", i) }

// runCurve serves b.N requests, users taken in turn from [0, users), by
// workers concurrent workers, and reports req/s and the p50 and p99
// latencies (ns) of one request.
func runCurve(b *testing.B, rc *requestCase, users, workers int) {
	reqs := make([]*http.Request, min(users, b.N))
	for i := range reqs {
		reqs[i] = httptest.NewRequest(http.MethodGet, "/api", nil)
		reqs[i].Header.Set(curveUserHeader, curveUser(i))
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
// stored (users=1/c=1), then with curveUsers stored at each concurrency in
// curveConcurrency. One op is one request; req/s, p50-ns and p99-ns are the
// curve's figures (bench/plot draws them).
func BenchmarkCurve(b *testing.B) {
	users := curveUsers
	if testing.Short() {
		users = curveUsersShort
	}
	for _, kind := range []string{"memory", "sqlite", "postgres", "mysql", "redis"} {
		b.Run(kind, func(b *testing.B) {
			s := curveStore(b, kind)
			rc, err := storageCase(s, func(bp *blueprint.Blueprint, tok *blueprint.Token) error {
				return s.SetFor(context.Background(), bp.Name(), curveUser(0), tok)
			})
			if err != nil {
				b.Fatalf("seeding: %s", storage.Redact(err.Error()))
			}
			b.Run("users=1/c=1", func(b *testing.B) { runCurve(b, rc, 1, 1) })
			seedUsers(b, s, "idp", 1, users)
			for _, n := range curveConcurrency {
				b.Run(fmt.Sprintf("users=%d/c=%d", users, n), func(b *testing.B) { runCurve(b, rc, users, n) })
			}
		})
	}
}
