package faults_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/internal/testenv"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/redisstore"
	"github.com/gindance/gindance/storage/storagetest"
)

// redisServer is a redis-server of the test's own on a free loopback port,
// which the test kills and starts again.
type redisServer struct {
	t    testing.TB
	addr string
	dir  string
	args []string

	mu  sync.Mutex
	cmd *exec.Cmd
}

// startRedis starts a redis-server in a temporary directory. persist keeps
// the data across a kill: an append-only file written before each write is
// acknowledged (appendfsync always), and RDB snapshots every second.
// Without it the server keeps nothing on disk.
func startRedis(t testing.TB, persist bool) *redisServer {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		testenv.Unavailable(t, "redis-server (apt-get install redis-server)", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	r := &redisServer{t: t, addr: "127.0.0.1:" + strconv.Itoa(port), dir: t.TempDir()}
	r.args = []string{bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--daemonize", "no", "--logfile", filepath.Join(r.dir, "redis.log")}
	if persist {
		r.args = append(r.args, "--save", "1 1", "--appendonly", "yes", "--appendfsync", "always")
	} else {
		r.args = append(r.args, "--save", "", "--appendonly", "no")
	}
	r.start()
	t.Cleanup(r.kill)
	return r
}

// start runs the server and waits until it answers PING.
func (r *redisServer) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	cmd := exec.Command(r.args[0], r.args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	// A group of its own, so that kill reaches the child a background
	// save forks too (--save): left alive, it went on writing in the
	// test's directory after the server was killed, and the directory's
	// cleanup failed ("directory not empty").
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("starting redis-server: %v", err)
	}
	r.cmd = cmd
	c := redis.NewClient(&redis.Options{Addr: r.addr})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
			r.t.Fatalf("redis-server on %s did not answer: %v\n%s", r.addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the server with SIGKILL, and any background-save child with
// it, as a machine that dies: no shutdown, no final save.
func (r *redisServer) kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	_ = r.cmd.Wait()
	r.cmd = nil
}

// client returns a client with go-redis' default options, as an app would
// make one.
func (r *redisServer) client(t testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: r.addr})
	t.Cleanup(func() { c.Close() })
	return c
}

func redisReplicas(t *testing.T, rs *redisServer) (*redisstore.Store, *redisstore.Store) {
	cfg := redisstore.Config{Config: storage.Config{User: storagetest.User, Timeout: storeTimeout, LockTTL: lockTTL}}
	return redisstore.New(rs.client(t), cfg), redisstore.New(rs.client(t), cfg)
}

// restartMidRun kills rs a third into the load and starts it again after
// down.
func restartMidRun(rs *redisServer, size loadSize, down time.Duration) func() {
	return func() {
		time.Sleep(size.duration / 3)
		rs.kill()
		time.Sleep(down)
		rs.start()
	}
}

// Invariant: Redis killed with SIGKILL mid-load and started again with its
// data (append-only file): no request takes longer than its bounds, every
// failure wraps ErrStoreUnavailable (none is "not logged in"), afterwards
// every user's token works (tokens lost = 0), and no refresh token is used
// twice (double refreshes = 0).
func TestFaultRedisKilledRestartedWithData(t *testing.T) {
	faultSuite(t)
	size := sizes()
	rs := startRedis(t, true)
	a, b := redisReplicas(t, rs)
	w := newWorld(t, size.users, a, b)
	tl := w.load(size, restartMidRun(rs, size, 500*time.Millisecond))
	w.checkInvariants("redis SIGKILL, restarted with its data", tl, "store")
}

// Invariant: Redis killed mid-load and started again empty (no
// persistence): no request takes longer than its bounds; during the outage
// every failure wraps ErrStoreUnavailable; after it the users whose tokens
// Redis forgot are "not logged in" (401), nothing else; and once they log
// in again the refresh lock works: a burst of concurrent requests on both
// replicas refreshes each token exactly once.
func TestFaultRedisKilledRestartedEmpty(t *testing.T) {
	faultSuite(t)
	size := sizes()
	rs := startRedis(t, false)
	a, b := redisReplicas(t, rs)
	w := newWorld(t, size.users, a, b)
	tl := w.load(size, restartMidRun(rs, size, 500*time.Millisecond))
	for class, n := range map[string]int{"provider": tl.n("provider"), "other": tl.n("other"), "transport": tl.n("transport")} {
		if n > 0 {
			t.Errorf("%d requests failed with %q: %v", n, class, tl)
		}
	}
	if tl.slowest > hangBound {
		t.Errorf("a request took %v, longer than the bound %v", tl.slowest, hangBound)
	}
	refreshes := w.burst(a)
	t.Logf("FAULTS redis SIGKILL, restarted empty: requests=%d %v | after re-login: %d users, %d refreshes in a burst, double refreshes=%d%s",
		tl.total(), tl, len(w.users), refreshes, w.p.RefreshReuses(), tl.firsts())
}
