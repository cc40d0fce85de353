package blueprint_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/internal/testenv"
)

// loadSizes are the load test's sizes: 10,000 sequential logins and 2,000
// concurrent authenticated requests, with GINDANCE_LOAD set
// (testenv.LoadEnv; .ci/run runs the full sizes in a step without -race).
// Without it, and under the race detector, they are scaled down: the full
// size takes a quarter of a minute alone, the race detector slows each
// request about tenfold, and 2,000 requests in flight over loopback take some
// 10,000 goroutines (client and server connections, the API calls they
// make), beyond the 8,128 it allows. GINDANCE_LOAD_LOGINS and
// GINDANCE_LOAD_CONCURRENT override them.
func loadSizes(t *testing.T) (logins, concurrent int) {
	logins, concurrent = 10_000, 2_000
	if !testenv.FullSize(t, testenv.LoadEnv, "the load test (10,000 logins, 2,000 concurrent requests)") || raceEnabled {
		logins, concurrent = 1_000, 300
	}
	if n, err := strconv.Atoi(os.Getenv("GINDANCE_LOAD_LOGINS")); err == nil && n > 0 {
		logins = n
	}
	if n, err := strconv.Atoi(os.Getenv("GINDANCE_LOAD_CONCURRENT")); err == nil && n > 0 {
		concurrent = n
	}
	return logins, concurrent
}

// barrier holds requests until n have arrived, so that they are all in
// flight at once; it gives up after a timeout rather than hang.
type barrier struct {
	n       int32
	arrived atomic.Int32
	release chan struct{}
}

func (b *barrier) wait() bool {
	if b.arrived.Add(1) == b.n {
		close(b.release)
	}
	select {
	case <-b.release:
		return true
	case <-time.After(60 * time.Second):
		return false
	}
}

// Load: 10,000 sequential logins, each in a browser of its own, then 2,000
// requests in flight at once over 100 of those sessions, all with tokens
// that must be refreshed (rotating refresh tokens with reuse detection, so
// a lost or replayed refresh token would revoke a session). Zero errors,
// zero lost tokens, no pending login left in any session, exactly one
// refresh per session, and afterwards the goroutines and the heap are back
// to where they were before the app started.
func TestLoadConcurrentRequestsAndSequentialLogins(t *testing.T) {
	logins, concurrent := loadSizes(t)
	if concurrent < loadSessions || logins < loadSessions {
		t.Fatalf("sizes %d logins, %d concurrent: need at least %d of each", logins, concurrent, loadSessions)
	}
	// A first, small round grows what the runtime keeps for good (the
	// descriptors of every goroutine that ever ran, runtime.malg: some 10 MiB
	// at this concurrency) to its size, so the baseline after it shows what
	// the library retains.
	runLoad(t, loadSessions, concurrent)
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	goroutines0, heap0 := settle(0, 0)

	runLoad(t, logins, concurrent)

	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	goroutines1, heap1 := settle(goroutines0, heap0)
	if goroutines1 > goroutines0 {
		t.Errorf("goroutines: %d before, %d after", goroutines0, goroutines1)
	}
	if heap1 > heap0+2<<20 {
		t.Errorf("heap: %d KiB before, %d KiB after", heap0>>10, heap1>>10)
	}
	t.Logf("%d logins, %d concurrent requests; goroutines %d -> %d, heap %d -> %d KiB",
		logins, concurrent, goroutines0, goroutines1, heap0>>10, heap1>>10)
}

// loadSessions is how many of the logged-in browsers the concurrent
// requests share.
const loadSessions = 100

// runLoad is one round of the load test; everything it creates is
// unreachable when it returns.
func runLoad(t *testing.T, logins, concurrent int) {
	t.Helper()
	const sessionsN = loadSessions
	p := gintest.StartProvider(gintest.Options{TokenLifetime: 30 * time.Second,
		RotateRefreshTokens: true, DetectRefreshReuse: true,
		User: &gintest.User{ID: "u-1", Login: "alice"}})
	defer p.Close()
	b := p.NewBlueprint("fake")
	r := newEngine()
	b.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) {
		pending := sessions.Default(c).Get("gindance:fake:tx") != nil
		c.String(http.StatusOK, "authorized=%v pending=%v", b.Authorized(c), pending)
	})
	bar := &barrier{n: int32(concurrent), release: make(chan struct{})}
	r.GET("/api", func(c *gin.Context) {
		if !bar.wait() {
			c.String(http.StatusServiceUnavailable, "barrier timed out")
			return
		}
		var me map[string]any
		if err := b.Client(c).GetJSON("me", &me); err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "%v", me["login"])
	})
	app := httptest.NewServer(r)
	defer app.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()

	// 10,000 sequential logins, each in a fresh browser
	jars := make([]http.CookieJar, 0, sessionsN)
	for i := range logins {
		jar, _ := cookiejar.New(nil)
		br := &gintest.Browser{Client: &http.Client{Jar: jar, Transport: tr}}
		page, err := br.Get(app.URL + "/login/fake")
		if err != nil || page.StatusCode != http.StatusOK || page.Body != "authorized=true pending=false" {
			t.Fatalf("login %d: %v %+v", i, err, page)
		}
		if ck := pendingLoginCookie(jar, app.URL+"/login/fake"); ck != "" {
			t.Fatalf("login %d left its pending-login cookie %s", i, ck)
		}
		if i < sessionsN {
			jars = append(jars, jar)
		}
	}
	// each login exchanges its code, and the landing page refreshes the
	// 30 s token (it is within the 60 s leeway) once
	if n, m := p.Calls(gintest.EndpointToken), p.Calls(gintest.EndpointRefresh); n != 2*logins || m != logins {
		t.Fatalf("%d token calls, %d of them refreshes, for %d logins", n, m, logins)
	}
	p.ResetCalls()

	// 2,000 requests in flight at once over 100 sessions whose tokens
	// are within the refresh leeway
	cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrent}}
	defer cl.Transport.(*http.Transport).CloseIdleConnections()
	var wg sync.WaitGroup
	var failed atomic.Int32
	var firstErr atomic.Value
	for i := range concurrent {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", app.URL+"/api", nil)
			for _, c := range jars[i%sessionsN].Cookies(req.URL) {
				req.AddCookie(c)
			}
			resp, err := cl.Do(req)
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || string(body) != "alice" {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %s", resp.StatusCode, body))
				return
			}
			if i < sessionsN { // one response per session updates its jar
				jars[i].SetCookies(req.URL, resp.Cookies())
			}
		}()
	}
	wg.Wait()
	if n := failed.Load(); n != 0 {
		t.Fatalf("%d of %d concurrent requests failed; first: %v", n, concurrent, firstErr.Load())
	}
	if n := p.Calls(gintest.EndpointRefresh); n != sessionsN {
		t.Fatalf("%d refreshes for %d sessions; want one each", n, sessionsN)
	}
	// no token lost: every session still works with its new cookie
	for i, jar := range jars {
		br := &gintest.Browser{Client: &http.Client{Jar: jar, Transport: tr}}
		page, err := br.Get(app.URL + "/")
		if err != nil || page.Body != "authorized=true pending=false" {
			t.Fatalf("session %d after the burst: %v %+v", i, err, page)
		}
	}
}

// pendingLoginCookie is the name of a pending-login cookie jar would send
// to u, or "" when there is none.
func pendingLoginCookie(jar http.CookieJar, u string) string {
	parsed, _ := url.Parse(u)
	for _, c := range jar.Cookies(parsed) {
		if strings.Contains(c.Name, "gindance-login.") {
			return c.Name
		}
	}
	return ""
}

// settle collects garbage until the goroutine count and heap are at most
// the targets (or a few seconds passed) and returns them; zero targets just
// measure.
func settle(goroutines int, heap uint64) (int, uint64) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC() // twice: the first leaves what sync.Pools keep in their victim caches
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		g := runtime.NumGoroutine()
		if goroutines == 0 || (g <= goroutines && ms.HeapAlloc <= heap+1<<20) || time.Now().After(deadline) {
			return g, ms.HeapAlloc
		}
		time.Sleep(50 * time.Millisecond)
	}
}
