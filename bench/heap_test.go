package bench

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/memstore"
	"github.com/gin-gonic/gin"

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

// memstoreFlow is gindance's flow on gin-contrib/sessions' memstore, a
// server-side session store: the browser holds a session id, the process
// holds the session's values. inSession is PendingLoginsInSession (false:
// the default, each pending login in a sealed cookie of its own).
func memstoreFlow(p *provider, inSession bool) *flow {
	cfg := p.oauth2Config("fake")
	cfg.PendingLoginsInSession = inSession
	bp := blueprint.NewOAuth2("fake", cfg)
	r := gin.New()
	r.Use(sessions.Sessions(sessionName, memstore.NewStore(hashKey, blockKey)))
	bp.Mount(r.Group("/login"))
	return &flow{engine: r, loginPath: "/login/fake", p: p}
}

// retained runs n logins from n browsers without cookies on a fresh app
// with the memstore: only the login start (complete false: n pending
// logins), or the whole login (a logged-in user each, the token in the
// session). It returns the heap the app retains per login (live heap with
// the app minus live heap once the app, and its store with it, is
// unreachable; the in-process fake provider's own records of the logins are
// in neither figure's difference) and the plain before/after difference,
// which includes them.
func retained(t *testing.T, n int, inSession, complete bool) (app, plain float64) {
	p := newProvider(gintest.Options{AllowMissingPKCE: true})
	f := memstoreFlow(p, inSession)
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
	runtime.KeepAlive(f)
	f = nil
	without := heapInUse()
	runtime.KeepAlive(p)
	return (float64(with) - float64(without)) / float64(n), (float64(with) - float64(before)) / float64(n)
}

// TestRetainedHeap reports (does not assert: the figure depends on the Go
// version and the store) the heap a server-side session store (gin-contrib's
// memstore) holds per pending login and per logged-in user, from
// runtime.ReadMemStats after a collection, over heapLogins logins.
func TestRetainedHeap(t *testing.T) {
	n := heapLogins
	if testing.Short() {
		n = heapLoginsShort
	}
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
		app, plain := retained(t, n, c.inSession, c.complete)
		t.Logf("memstore, %s: %.0f B retained per browser by the app (%d logins; before/after difference, the in-process provider's records included: %.0f B)",
			c.name, app, n, plain)
	}
}
