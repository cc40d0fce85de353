package faults_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/redisstore"
	"github.com/gindance/gindance/storage/sqlstore"
	"github.com/gindance/gindance/storage/storagetest"
)

// The child's store, when it is not the Redis at childRedisEnv: a SQL
// table (driver, dialect name, DSN and table).
const (
	childSQLDriverEnv  = "GINDANCE_FAULTS_SQL_DRIVER"
	childSQLDialectEnv = "GINDANCE_FAULTS_SQL_DIALECT"
	childSQLDSNEnv     = "GINDANCE_FAULTS_SQL_DSN"
	childSQLTableEnv   = "GINDANCE_FAULTS_SQL_TABLE"
)

// sharedBackend is what every built-in shared backend is.
type sharedBackend interface {
	storage.ConditionalBackend
	storage.CheckedLocker
}

// childStore is the child's token store: the SQL table the parent named,
// else its Redis. With pause ("read" or "write"), the store's backend stops
// the process (see pauseUnderLease).
func childStore(pause string) (blueprint.Storage, error) {
	cfg := storage.Config{User: storagetest.User, Timeout: storeTimeout, LockTTL: lockTTL}
	var be storage.Backend
	if driver := os.Getenv(childSQLDriverEnv); driver != "" {
		db, err := sql.Open(driver, os.Getenv(childSQLDSNEnv))
		if err != nil {
			return nil, fmt.Errorf("%s", storage.Redact(err.Error()))
		}
		d := sqlstore.Postgres
		if os.Getenv(childSQLDialectEnv) == sqlstore.MySQL.String() {
			d = sqlstore.MySQL
		}
		st, err := sqlstore.New(db, sqlstore.Config{Dialect: d, Table: os.Getenv(childSQLTableEnv), Config: cfg})
		if err != nil {
			return nil, err
		}
		be = st.Backend()
	} else {
		be = redisstore.New(redis.NewClient(&redis.Options{Addr: os.Getenv(childRedisEnv)}), redisstore.Config{Config: cfg}).Backend()
	}
	if pause != "" {
		be = &pauseUnderLease{sharedBackend: be.(sharedBackend), at: pause}
	}
	return storage.New(be, cfg), nil
}

// pauseUnderLease stops its own process with SIGSTOP, having said "PAUSED"
// on stdout, the first time it reads (at "read") or writes (at "write") a
// token after writing a refresh lease: the holder of the lease is paused
// between its read of the token and its call to the provider, or between
// the provider's answer and its write, as a garbage collection, a
// scheduler or a virtual machine's migration may pause a process, until
// the parent sends SIGCONT.
type pauseUnderLease struct {
	sharedBackend
	at             string
	leased, paused atomic.Bool
}

// isLease tells the Store's lease records from tokens (storage's leaseKey).
func isLease(k storage.Key) bool { return strings.HasPrefix(k.Provider, "\x01lease:") }

// pause stops the process at its pause point. A write paused before it
// starts gets its store timeout afresh after the pause, as if the pause
// came just before the Store began the write.
func (p *pauseUnderLease) pause(ctx context.Context, at string, k storage.Key) (context.Context, context.CancelFunc) {
	if at == p.at && !isLease(k) && p.leased.Load() && p.paused.CompareAndSwap(false, true) {
		fmt.Println("PAUSED")
		// to this thread (tgkill), not the process: a SIGSTOP sent to the
		// process may be taken by another thread while this one runs on
		// for a moment, past its pause point
		runtime.LockOSThread()
		syscall.Tgkill(os.Getpid(), syscall.Gettid(), syscall.SIGSTOP)
		runtime.UnlockOSThread()
		return context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	}
	return ctx, func() {}
}

func (p *pauseUnderLease) Save(ctx context.Context, k storage.Key, data []byte, tok *blueprint.Token) error {
	ctx, cancel := p.pause(ctx, "write", k)
	defer cancel()
	err := p.sharedBackend.Save(ctx, k, data, tok)
	if err == nil && isLease(k) {
		p.leased.Store(true)
	}
	return err
}

func (p *pauseUnderLease) SaveIf(ctx context.Context, k storage.Key, old, data []byte, tok *blueprint.Token) (bool, error) {
	ctx, cancel := p.pause(ctx, "write", k)
	defer cancel()
	return p.sharedBackend.SaveIf(ctx, k, old, data, tok)
}

func (p *pauseUnderLease) Load(ctx context.Context, k storage.Key) ([]byte, error) {
	data, err := p.sharedBackend.Load(ctx, k)
	_, cancel := p.pause(ctx, "read", k)
	cancel()
	return data, err
}

// waitStopped waits until the kernel reports pid stopped (state T).
func waitStopped(t *testing.T, pid int) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatal(err)
		}
		// the state follows the command name in parentheses
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && strings.HasPrefix(string(stat[i+1:]), " T") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the child did not stop")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pauseCase is where the holder of the refresh lease is paused and what the
// provider does with a refresh token presented twice.
type pauseCase struct {
	name     string
	at       string          // "read": before the provider call; "write": after its answer
	provider gintest.Options // rotation and reuse detection
	// what the other replica and the resumed holder answer, and what the
	// provider sees: refresh calls and reuses
	other, resumed    string
	refreshes, reuses int
	storedAfterOther  bool // the other replica's token is stored, and stays
}

var pauseCases = []pauseCase{
	// the holder's lease has less than ProviderTimeout left when it
	// resumes: it does not call the provider, takes the lease again and
	// reads the other replica's token
	{name: "before the provider call", at: "read",
		provider: gintest.Options{TokenLifetime: time.Hour, RotateRefreshTokens: true, DetectRefreshReuse: true},
		other:    "ok", resumed: "ok", refreshes: 1, reuses: 0, storedAfterOther: true},
	// the provider answered the holder, which resumes with an older token
	// than the one the other replica stored meanwhile (a provider that does
	// not rotate refresh tokens answered both): its write is fenced out and
	// it uses the stored token
	{name: "after the provider answered, no rotation", at: "write",
		provider: gintest.Options{TokenLifetime: time.Hour},
		other:    "ok", resumed: "ok", refreshes: 2, reuses: 0, storedAfterOther: true},
	// the same with rotation and reuse detection: the other replica's
	// refresh presents the spent refresh token, and the provider ends the
	// grant (both new tokens revoked): invalid_grant, the token forgotten,
	// and the resumed holder writes nothing over the deletion
	{name: "after the provider answered, rotation with reuse detection", at: "write",
		provider: gintest.Options{TokenLifetime: time.Hour, RotateRefreshTokens: true, DetectRefreshReuse: true},
		other:    "unauthorized", resumed: "unauthorized", refreshes: 2, reuses: 1},
}

// testPausedLeaseHolder: the holder of the refresh lease (a child process)
// is stopped with SIGSTOP at pc.at for longer than LockTTL; another
// replica (this process) takes the lease and refreshes; then the holder
// resumes. Invariants: no token lost (the other replica's stored token
// stays), no older token written over a newer one, and the provider's
// view (refreshes, reuses) is as pc says; it is logged.
func testPausedLeaseHolder(t *testing.T, name string, parent blueprint.Storage, env ...string) {
	for _, pc := range pauseCases {
		t.Run(pc.at+"/"+strings.ReplaceAll(pc.name, " ", "_"), func(t *testing.T) {
			t.Parallel() // each case has its own provider, user, child and replica; they mostly wait
			testPause(t, name, pc, parent, env)
		})
	}
}

func testPause(t *testing.T, name string, pc pauseCase, parent blueprint.Storage, env []string) {
	p := gintest.StartProvider(pc.provider)
	t.Cleanup(p.Close)
	w := &world{t: t, p: p, hc: &http.Client{Timeout: 4 * hangBound}}
	t.Cleanup(w.hc.CloseIdleConnections)
	w.urls = []string{startReplica(t, p, parent)}
	user := "paused-" + randomTag()
	w.users = []string{user}
	access, refresh := p.IssueToken(user, -time.Minute)
	if err := parent.Set(storagetest.Request(user), "fake", &blueprint.Token{AccessToken: access, RefreshToken: refresh,
		TokenType: "Bearer", Expiry: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}

	ch := startChildEnv(t, "replica-pause-at-"+pc.at, p.URL(), env...)
	answer := make(chan string, 1)
	go func() {
		req, _ := http.NewRequest("GET", ch.url+"/me", nil)
		req.Header.Set(storagetest.UserHeader, user)
		resp, err := w.hc.Do(req)
		if err != nil {
			answer <- "transport: " + err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		answer <- string(body)
	}()
	if line := ch.next(t, 10*time.Second); line != "PAUSED" {
		t.Fatalf("child said %q, want PAUSED", line)
	}
	waitStopped(t, ch.cmd.Process.Pid)
	paused := lockTTL + 250*time.Millisecond
	time.Sleep(paused) // the child's lease has ended
	class, detail, _ := w.call(context.Background(), 0, user)
	if class != pc.other {
		t.Fatalf("the other replica, the paused holder's lease over: %s %q, want %s", class, detail, pc.other)
	}
	stored, err := parent.Get(storagetest.Request(user), "fake")
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	var resumed string
	select {
	case resumed = <-answer:
	case <-time.After(4 * hangBound):
		t.Fatal("the resumed holder did not answer")
	}
	after, err := parent.Get(storagetest.Request(user), "fake")
	if err != nil {
		t.Fatal(err)
	}
	refreshes, reuses := p.Calls(gintest.EndpointRefresh), p.RefreshReuses()
	t.Logf("FAULTS %s: lease holder SIGSTOPped %s for %v (LockTTL %v), another replica refreshed meanwhile (%s): "+
		"the resumed holder answered %q; stored token kept=%v; provider saw %d refreshes, %d reuses",
		name, pc.name, paused.Round(time.Millisecond), lockTTL, class, excerpt(resumed),
		(stored == nil && after == nil) || (stored != nil && after != nil && after.AccessToken == stored.AccessToken), refreshes, reuses)
	if c, _, _ := strings.Cut(resumed, ":"); c != pc.resumed {
		t.Errorf("the resumed holder answered %q, want %s", excerpt(resumed), pc.resumed)
	}
	switch {
	case pc.storedAfterOther && stored == nil:
		t.Errorf("the other replica's refresh stored nothing")
	case !pc.storedAfterOther && stored != nil:
		t.Errorf("a token is stored after invalid_grant")
	case stored == nil && after != nil:
		t.Errorf("the resumed holder wrote a token over the deletion that followed invalid_grant")
	case stored != nil && (after == nil || after.AccessToken != stored.AccessToken):
		t.Errorf("the resumed holder replaced or deleted the other replica's newer token (token lost)")
	}
	if pc.storedAfterOther {
		if class, detail, _ := w.call(context.Background(), 0, user); class != "ok" {
			t.Errorf("the other replica after the holder resumed: %s %q", class, detail)
		}
	}
	if refreshes != pc.refreshes || reuses != pc.reuses {
		t.Errorf("the provider saw %d refreshes and %d reuses of a refresh token, want %d and %d", refreshes, reuses, pc.refreshes, pc.reuses)
	}
}

func TestFaultLeaseHolderPausedRedis(t *testing.T) {
	rs := startRedis(t, false)
	testPausedLeaseHolder(t, "Redis", redisstore.New(rs.client(t), redisConfig()), childRedisEnv+"="+rs.addr)
}

func TestFaultLeaseHolderPausedPostgres(t *testing.T) {
	testPausedLeaseHolderSQL(t, "PostgreSQL", postgresServer(t))
}

func TestFaultLeaseHolderPausedMariaDB(t *testing.T) {
	testPausedLeaseHolderSQL(t, "MariaDB", mariaDBServer(t))
}

func testPausedLeaseHolderSQL(t *testing.T, name string, s *sqlServer) {
	st, _ := s.replicas()
	testPausedLeaseHolder(t, name, st, childSQLDriverEnv+"="+s.driver, childSQLDialectEnv+"="+s.dialect.String(),
		childSQLDSNEnv+"="+s.dsn, childSQLTableEnv+"="+st.Table())
}
