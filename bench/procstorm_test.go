package bench

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/redisstore"
	"github.com/gindance/gindance/storage/sqlstore"
)

// The multi-process refresh storm: procStormApps app processes (this test
// binary re-executed in child mode) share one PostgreSQL table or one Redis
// key prefix; the parent seeds one expired token, sends requests spread over
// the processes, released together, and counts the refreshes the fake
// provider (on loopback, in the parent) receives.
const (
	procStormApps     = 4
	procStormRequests = 1000 // full size; -short (CI): procStormSmall
	procStormSmall    = 100
	procStormUser     = "storm-user"
	procStormLatency  = 20 * time.Millisecond // the provider's /token

	// childEnv switches the re-executed binary into an app process; the
	// other childX variables configure it.
	childEnv       = "GINDANCE_BENCH_STORM_CHILD" // "postgres" or "redis"
	childStoreEnv  = "GINDANCE_BENCH_STORM_STORE" // DSN or Redis address
	childTableEnv  = "GINDANCE_BENCH_STORM_TABLE" // table or key prefix
	childIdPEnv    = "GINDANCE_BENCH_STORM_IDP"   // the provider's base URL
	childMaxDBConn = 10                           // per process, as an app would cap its pool
)

// TestMain runs an app process of the storm when childEnv is set, and the
// tests otherwise.
func TestMain(m *testing.M) {
	if kind := os.Getenv(childEnv); kind != "" {
		if err := runStormChild(kind); err != nil {
			fmt.Fprintln(os.Stderr, "storm child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// service returns the value of envVar, or skips the test (fails it under
// CI=true) when unset: internal/testenv's rule, copied since bench is a
// module of its own.
func service(t testing.TB, envVar, what string) string {
	t.Helper()
	if v := os.Getenv(envVar); v != "" {
		return v
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: CI=true requires %s for this test (.ci/run sets it)", envVar, what)
	}
	t.Skipf("%s is not set: skipping the test that needs %s (.ci/run sets it)", envVar, what)
	return ""
}

// unavailable: a configured service could not be reached; a skip on a
// developer's machine, a failure under CI=true.
func unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is unavailable under CI=true: %v", what, err)
	}
	t.Skipf("%s is unavailable: %v", what, err)
}

// stormStore is what the parent needs of a shared store: a Storage for
// seeding and reading back, the setting children get, and cleanup.
type stormStore struct {
	store, table string
	storage      blueprint.Storage
}

func postgresStormStore(t *testing.T) stormStore {
	dsn := service(t, "GINDANCE_POSTGRES_DSN", "PostgreSQL")
	s, err := openStormStore("postgres", dsn, "bench_storm_"+uniqueSuffix())
	if err != nil {
		unavailable(t, "PostgreSQL", errors.New(storage.Redact(err.Error())))
	}
	st := s.(*sqlstore.Store)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := st.Migrate(ctx); err != nil {
		unavailable(t, "PostgreSQL", errors.New(storage.Redact(err.Error())))
	}
	t.Cleanup(func() {
		st.DB().Exec("DROP TABLE IF EXISTS " + st.Table())
		st.DB().Close()
	})
	return stormStore{store: dsn, table: st.Table(), storage: st}
}

func redisStormStore(t *testing.T) stormStore {
	addr := service(t, "GINDANCE_REDIS_ADDR", "Redis")
	prefix := "gindance-bench-storm:" + uniqueSuffix() + ":"
	s, err := openStormStore("redis", addr, prefix)
	if err != nil {
		unavailable(t, "Redis at "+addr, err)
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { deletePrefix(c, prefix); c.Close() })
	return stormStore{store: addr, table: prefix, storage: s}
}

// redisClusterStormStore is the Redis Cluster .ci/run starts
// (GINDANCE_REDIS_CLUSTER_ADDRS, comma-separated), reached through
// redis.NewClusterClient.
func redisClusterStormStore(t *testing.T) stormStore {
	addrs := service(t, "GINDANCE_REDIS_CLUSTER_ADDRS", "a Redis Cluster")
	prefix := "gindance-bench-storm:" + uniqueSuffix() + ":"
	s, err := openStormStore("redis-cluster", addrs, prefix)
	if err != nil {
		unavailable(t, "the Redis Cluster at "+addrs, err)
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")})
	t.Cleanup(func() {
		ctx := context.Background()
		c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
			iter := n.Scan(ctx, 0, prefix+"*", 100).Iterator()
			for iter.Next(ctx) {
				c.Del(ctx, iter.Val()) // one key a command: keys of other slots cannot go together
			}
			return nil
		})
		c.Close()
	})
	return stormStore{store: addrs, table: prefix, storage: s}
}

// openStormStore opens the shared store of kind, checking it answers.
func openStormStore(kind, store, table string) (blueprint.Storage, error) {
	cfg := storage.Config{User: func(*gin.Context) (string, error) { return procStormUser, nil }}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	switch kind {
	case "postgres":
		db, err := sql.Open("pgx", store)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(childMaxDBConn)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, err
		}
		return sqlstore.New(db, sqlstore.Config{Config: cfg, Dialect: sqlstore.Postgres, Table: table})
	case "redis":
		c := redis.NewClient(&redis.Options{Addr: store})
		if err := c.Ping(ctx).Err(); err != nil {
			c.Close()
			return nil, err
		}
		return redisstore.New(c, redisstore.Config{Config: cfg, Prefix: table}), nil
	case "redis-cluster":
		c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(store, ",")})
		if err := c.ForEachShard(ctx, func(ctx context.Context, n *redis.Client) error { return n.Ping(ctx).Err() }); err != nil {
			c.Close()
			return nil, err
		}
		return redisstore.New(c, redisstore.Config{Config: cfg, Prefix: table}), nil
	}
	return nil, fmt.Errorf("unknown store kind %q", kind)
}

// runStormChild is one app process: the blueprint on the shared store,
// GET /me calling the provider's API through Client, served on a loopback
// port it prints to stdout; it exits when stdin closes.
func runStormChild(kind string) error {
	s, err := openStormStore(kind, os.Getenv(childStoreEnv), os.Getenv(childTableEnv))
	if err != nil {
		return err
	}
	idp := os.Getenv(childIdPEnv)
	bp := blueprint.NewOAuth2("fake", blueprint.OAuth2Config{
		ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		AuthURL: idp + "/authorize", TokenURL: idp + "/token", APIBaseURL: idp + "/api/",
	})
	store := &countingStore{}
	switch s := s.(type) {
	case *sqlstore.Store:
		store.Store = s.Store
	case *redisstore.Store:
		store.Store = s.Store
	}
	bp.SetStorage(store)
	r := gin.New()
	r.GET("/writes", func(c *gin.Context) { c.String(http.StatusOK, "%d", store.sets.Load()) })
	r.GET("/me", func(c *gin.Context) {
		resp, err := bp.Client(c).Get("me")
		if err != nil {
			c.String(http.StatusBadGateway, "client: %v", err)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			c.String(http.StatusBadGateway, "api: %d %s", resp.StatusCode, body)
			return
		}
		c.Status(http.StatusNoContent)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("listening %s\n", ln.Addr())
	srv := &http.Server{Handler: r}
	go srv.Serve(ln)
	io.Copy(io.Discard, os.Stdin) // until the parent closes it
	return srv.Close()
}

// countingStore counts an app process's token writes to the shared store;
// the embedded Store keeps its refresh lock and slots.
type countingStore struct {
	*storage.Store
	sets atomic.Int64
}

func (s *countingStore) Set(c *gin.Context, name string, tok *blueprint.Token) error {
	s.sets.Add(1)
	return s.Store.Set(c, name, tok)
}

// LockLease gives a lease whose token writes (a refresh's, fenced) are
// counted with Set's.
func (s *countingStore) LockLease(ctx context.Context, c *gin.Context, name string) (blueprint.Lease, error) {
	l, err := s.Store.LockLease(ctx, c, name)
	if err != nil {
		return nil, err
	}
	return countingLease{l, s}, nil
}

type countingLease struct {
	blueprint.Lease
	s *countingStore
}

func (l countingLease) Replace(ctx context.Context, tok *blueprint.Token) error {
	l.s.sets.Add(1)
	return l.Lease.Replace(ctx, tok)
}

// storeWrites sums the token writes the app processes at urls made.
func storeWrites(t *testing.T, urls []string) int {
	n := 0
	for _, u := range urls {
		resp, err := http.Get(u + "/writes")
		if err != nil {
			t.Fatalf("reading the writes of %s: %v", u, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		w, err := strconv.Atoi(string(body))
		if err != nil {
			t.Fatalf("writes of %s: %q", u, body)
		}
		n += w
	}
	return n
}

// startStormApps starts n app processes and returns their base URLs; they
// stop at cleanup.
func startStormApps(t *testing.T, n int, kind string, st stormStore, idp string) []string {
	urls := make([]string, n)
	for i := range n {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+kind, childStoreEnv+"="+st.store,
			childTableEnv+"="+st.table, childIdPEnv+"="+idp)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting app process %d: %v", i, err)
		}
		t.Cleanup(func() {
			stdin.Close()
			if err := cmd.Wait(); err != nil {
				t.Errorf("app process %d: %v\n%s", i, err, stderr.String())
			}
		})
		line, err := bufio.NewReader(stdout).ReadString('\n')
		addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
		if err != nil || !ok {
			stdin.Close()
			t.Fatalf("app process %d did not start: %q %v\n%s", i, line, err, stderr.String())
		}
		urls[i] = "http://" + addr
	}
	return urls
}

// TestRefreshStormProcesses: procStormApps app processes sharing
// PostgreSQL, then Redis, then a Redis Cluster; requests spread over them, all with one expired
// token. The provider must see exactly one refresh and every request must
// succeed. Wall time and p99 are logged as figures, not asserted.
func TestRefreshStormProcesses(t *testing.T) {
	requests := procStormRequests
	if testing.Short() {
		requests = procStormSmall
	}
	for _, kind := range []string{"postgres", "redis", "redis-cluster"} {
		t.Run(kind, func(t *testing.T) {
			var st stormStore
			switch kind {
			case "postgres":
				st = postgresStormStore(t)
			case "redis":
				st = redisStormStore(t)
			default:
				st = redisClusterStormStore(t)
			}
			p := gintest.StartProvider(gintest.Options{
				User:                &gintest.User{ID: procStormUser, Login: procStormUser},
				RotateRefreshTokens: true,
				DetectRefreshReuse:  true,
			})
			t.Cleanup(p.Close)
			urls := startStormApps(t, procStormApps, kind, st, p.URL())

			access, refresh := p.IssueToken(procStormUser, -time.Minute)
			seed := &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
				Expiry: time.Now().Add(-time.Minute)}
			if err := st.storage.Set(stormRequest(), "fake", seed); err != nil {
				t.Fatalf("seeding the expired token: %v", err)
			}
			p.Fail(gintest.Failure{TokenDelay: procStormLatency})
			p.ResetCalls()

			wall, lat, results := fireStorm(urls, requests)
			failed := 0
			for i, r := range results {
				if r != "204" {
					failed++
					if failed <= 5 {
						t.Errorf("request %d (process %d): %q, want 204", i, i%len(urls), r)
					}
				}
			}
			if failed > 0 {
				t.Errorf("%d of %d requests failed", failed, requests)
			}
			refreshes := p.Calls(gintest.EndpointRefresh)
			if refreshes != 1 {
				t.Errorf("the provider saw %d refreshes, want exactly 1 across %d processes", refreshes, len(urls))
			}
			// the refresh's own write under the lock; the racing requests
			// (this process's or others', which read it under the lock)
			// do not write it again
			writes := storeWrites(t, urls)
			if writes != 1 {
				t.Errorf("the store saw %d token writes, want 1", writes)
			}
			t.Logf("%s: %d processes, %d requests: %d refresh call(s), %d token write(s), %d failed; wall %v, p50 %v, p99 %v (figures, not asserted)",
				kind, len(urls), requests, refreshes, writes, failed, wall.Round(time.Millisecond),
				percentile(lat, 50).Round(time.Microsecond), percentile(lat, 99).Round(time.Microsecond))
		})
	}
}

// stormRequest is a request context for the parent's direct store calls
// (the store's user function ignores it).
func stormRequest() *gin.Context {
	c, _ := gin.CreateTestContext(nil)
	c.Request, _ = http.NewRequest(http.MethodGet, "/", nil)
	return c
}

// fireStorm sends n requests, released together, spread round-robin over
// urls; it returns the wall time, each request's latency and each result
// (the status code, or the error).
func fireStorm(urls []string, n int) (time.Duration, []time.Duration, []string) {
	hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	defer hc.CloseIdleConnections()
	start := make(chan struct{})
	results := make([]string, n)
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, urls[i%len(urls)]+"/me", nil)
			<-start
			t0 := time.Now()
			resp, err := hc.Do(req)
			if err != nil {
				results[i] = err.Error()
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			lat[i] = time.Since(t0)
			results[i] = strconv.Itoa(resp.StatusCode)
			if resp.StatusCode != http.StatusNoContent {
				results[i] += " " + string(body)
			}
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	return time.Since(t0), lat, results
}

// percentile is the q-th percentile (nearest rank) of d.
func percentile(d []time.Duration, q int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*q + 99) / 100
	return s[max(i-1, 0)]
}
