package blueprint_test

// The attack catalogue, part 4: bad provider answers and hostile requests
// to the app.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// A token endpoint that streams a 10 MiB answer (without holding it in
// memory itself): the client reads at most 1 MiB of it, fails with a clear
// ErrBadTokenResponse, and the login's allocations stay far below the size
// of the answer (CWE-400, unbounded read).
func TestAttackTokenResponse10MiBIsBoundedRead(t *testing.T) {
	const size = 10 << 20
	var written atomic.Int64
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		n, _ := io.WriteString(w, `{"access_token":"gta_huge","token_type":"Bearer","padding":"`)
		chunk := strings.Repeat("x", 32<<10)
		for n < size {
			m, err := io.WriteString(w, chunk)
			n += m
			if err != nil {
				break
			}
		}
		io.WriteString(w, `"}`)
		written.Store(int64(n))
	}))
	t.Cleanup(huge.Close)
	f := newFixture(t, gintest.Options{}, func(c *blueprint.OAuth2Config) { c.TokenURL = huge.URL + "/token" })
	cb := f.startLogin(t, "")

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	page, err := f.browser.Get(cb)
	runtime.ReadMemStats(&after)

	var pe *blueprint.ProviderError
	if err != nil || page.StatusCode != http.StatusBadGateway || !errors.As(f.lastErr(), &pe) || !errors.Is(f.lastErr(), blueprint.ErrBadTokenResponse) {
		t.Fatalf("%v %+v %v", err, page, f.lastErr())
	}
	mustContain(t, f.lastErr().Error(), "larger than 1048576 bytes")
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Fatalf("the callback allocated %d MiB for a 10 MiB answer; the read is not bounded", alloc>>20)
	}
	if f.get(t, "/").Body != "home authorized=false" || f.logins != 0 {
		t.Fatal("a login came of the huge answer")
	}
}

// x/oauth2 #388 and CWE-400: a token endpoint that never answers a refresh
// holds the request no longer than ProviderTimeout (the refresh runs on a
// context of its own, so only the configured timeout bounds it), and the
// token is kept for when the provider is back.
func TestAttackSlowRefreshBoundedByProviderTimeout(t *testing.T) {
	f := newFixture(t, shortLived, func(c *blueprint.OAuth2Config) {
		// API calls keep the default bound: the test is about the refresh.
		c.ProviderTimeout, c.APITimeout = 300*time.Millisecond, blueprint.DefaultProviderTimeout
	})
	f.loggedIn(t)
	f.p.Fail(gintest.Failure{TokenDelay: time.Minute, ErrorOnGrant: "refresh_token"})
	done := make(chan *gintest.Page, 1)
	go func() {
		page, _ := f.browser.Get(f.app.URL + "/api")
		done <- page
	}()
	// The bound is far above the 300 ms configured and far below the 15 s
	// default, so that a ProviderTimeout left unapplied fails the test.
	select {
	case page := <-done:
		if page == nil || page.StatusCode != http.StatusUnauthorized || !strings.Contains(page.Body, "refresh failed") {
			t.Fatalf("slow refresh answered %+v", page)
		}
	case <-time.After(blueprint.DefaultProviderTimeout / 3):
		t.Fatalf("the request still waits for the provider after %v, with a ProviderTimeout of 300ms", blueprint.DefaultProviderTimeout/3)
	}
	f.p.Fail(gintest.Failure{})
	time.Sleep(blueprint.DefaultRefreshBackoff) // an unanswered refresh is not retried before
	if got := f.get(t, "/api").Body; got != "alice" {
		t.Fatalf("after the provider recovered: %q", got)
	}
}

// CWE-400: 64 KiB in every parameter of the login and the callback are
// answered with a 4xx or a login redirect, never a 5xx; the bounded
// excerpt, not the parameter, reaches the page; the cookie stays small.
func TestAttackHugeQueryStrings(t *testing.T) {
	f := newFixture(t, gintest.Options{})
	big := strings.Repeat("A", 64<<10)
	page, err := f.browser.NoFollow().Get(f.app.URL + "/login/fake?next=/" + big + "&x=" + big)
	if err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("login with a 128 KiB query: %v %+v", err, page)
	}
	for _, c := range f.browser.Cookies(f.app.URL) {
		if len(c.Value) > 1024 {
			t.Fatalf("a %d-byte cookie came of a huge next", len(c.Value))
		}
	}
	cb := f.startLogin(t, "")
	state := queryOf(t, cb).Get("state")
	for _, q := range []url.Values{
		{"state": {big}, "code": {big}},
		{"state": {state}, "error": {big}, "error_description": {big}, "error_uri": {big}},
		{"state": {state + big}, "code": {"x"}, "iss": {big}},
	} {
		page, err := f.browser.Get(withQuery(t, cb, q))
		if err != nil || page.StatusCode < 400 || page.StatusCode >= 500 {
			t.Fatalf("huge callback: %v %+v", err, page)
		}
		if len(page.Body) > 2048 {
			t.Fatalf("the error page echoes %d bytes", len(page.Body))
		}
	}
	if f.p.Calls(gintest.EndpointToken) != 0 {
		t.Fatal("a code was exchanged")
	}
}

// Unicode, NUL, CR/LF, invalid UTF-8 and HTML in every callback and login
// parameter: the app answers 4xx (or the provider refuses a mangled code,
// 502), never 500, never logs in, never reflects the value unescaped, and
// no header carries an injected line.
func TestAttackUnicodeAndNULInEveryParameter(t *testing.T) {
	f := newFixture(t, gintest.Options{})
	nasty := []string{"\x00", "a\x00b", "\r\nSet-Cookie: evil=1", "\u202e\u0000💥", "\xff\xfe", "<script>alert(1)</script>", "%00", "\u2028\u2029", strings.Repeat("é", 300)}
	params := []string{"state", "code", "error", "error_description", "error_uri", "iss"}
	for _, v := range nasty {
		page, err := f.browser.NoFollow().Get(f.app.URL + "/login/fake?next=" + url.QueryEscape(v))
		if err != nil || page.StatusCode != http.StatusFound {
			t.Fatalf("login next=%q: %v %+v", v, err, page)
		}
		for _, name := range params {
			cb := f.startLogin(t, "")
			q := queryOf(t, cb)
			if name == "state" {
				q.Set("state", q.Get("state")+v)
			} else {
				q.Set(name, v)
			}
			page, err := f.browser.NoFollow().Get(withQuery(t, cb, q))
			if err != nil {
				t.Fatalf("%s=%q: %v", name, v, err)
			}
			switch {
			case page.StatusCode == http.StatusFound && (name == "error_description" || name == "error_uri" || name == "iss"):
				// ignored without error=, or an iss where no Issuer is set
			case page.StatusCode >= 400 && page.StatusCode < 500:
			case page.StatusCode == http.StatusBadGateway && name == "code":
			default:
				t.Fatalf("%s=%q: status %d %q (%v)", name, v, page.StatusCode, page.Body, f.lastErr())
			}
			if strings.Contains(page.Body, "<script>") {
				t.Fatalf("%s=%q reflected unescaped: %q", name, v, page.Body)
			}
			for k, vs := range page.Header {
				for _, hv := range vs {
					if strings.ContainsAny(hv, "\r\n\x00") || strings.Contains(hv, "evil=1") && k == "Set-Cookie" {
						t.Fatalf("%s=%q: header %s: %q", name, v, k, hv)
					}
				}
			}
			// log the browser out again when an ignored parameter let the login through
			f.get(t, "/logout")
		}
	}
}

// A flood of login starts from one session (RFC 9700 §4.7 state storage,
// CWE-400), with pending logins in the session (PendingLoginsInSession):
// thousands in parallel with the same cookie all start (302), every
// Set-Cookie stays under 4096 bytes, and the session never holds more than
// MaxPendingLogins; after the flood the newest logins work and older ones
// are evicted. Long next paths, which make each pending login bigger, evict
// more instead of failing the login. (Sealed login cookies:
// TestAttackLoginCookieFloodIsBounded, TestPendingLoginsAreBounded.)
func TestAttackParallelLoginFloodFromOneSession(t *testing.T) {
	f := newFixture(t, gintest.Options{}, withPendingInSession)
	engine := f.app.Config.Handler
	long := "/" + strings.Repeat("n", 1000)
	// five pending logins with long next paths first
	var jar []*http.Cookie
	for i := range 5 {
		w := serve(engine, "GET", "/login/fake?next="+url.QueryEscape(fmt.Sprintf("%s%d", long, i)), jar)
		if w.Code != http.StatusFound {
			t.Fatalf("pending login %d with a long next: %d %s (%v)", i, w.Code, w.Body.String(), f.lastErr())
		}
		jar = mergeCookies(jar, w)
	}
	n := 2000
	if raceEnabled {
		n = 500
	}
	var wg sync.WaitGroup
	var bad atomic.Int32
	var maxCookie atomic.Int64
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := "/tab"
			if i%2 == 0 {
				next = long
			}
			w := serve(engine, "GET", "/login/fake?next="+url.QueryEscape(next), jar)
			if w.Code != http.StatusFound {
				bad.Add(1)
			}
			for _, sc := range w.Header().Values("Set-Cookie") {
				for {
					m := maxCookie.Load()
					if int64(len(sc)) <= m || maxCookie.CompareAndSwap(m, int64(len(sc))) {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	if bad.Load() != 0 || maxCookie.Load() > 4096 {
		t.Fatalf("%d of %d login starts failed (last error %v); largest Set-Cookie %d bytes", bad.Load(), n, f.lastErr(), maxCookie.Load())
	}
	// sequentially: the oldest pending logins are evicted, the newest work
	f.browser = gintest.NewBrowser()
	var cbs []string
	for range 12 {
		cbs = append(cbs, f.startLogin(t, long))
		for _, c := range f.browser.Cookies(f.app.URL) {
			if len(c.Value) > 4000 {
				t.Fatalf("session cookie of %d bytes", len(c.Value))
			}
		}
	}
	if page, _ := f.browser.Get(cbs[0]); page.StatusCode != http.StatusBadRequest {
		t.Fatalf("the oldest login survived the flood: %d", page.StatusCode)
	}
	if page, _ := f.browser.Get(cbs[len(cbs)-1]); page.StatusCode != http.StatusNotFound || page.URL.Path != long {
		t.Fatalf("the newest login failed: %d %s", page.StatusCode, page.URL.Path)
	}
}

// Reflected XSS through the provider's error redirect (RFC 6749 §4.1.2.1
// error_description is attacker-controlled text, CWE-79): the default
// error page leaves the description out, escapes the error code in JSON,
// and serves HTML with nosniff.
func TestAttackErrorDescriptionEscapedInDefaultErrorPage(t *testing.T) {
	f := newFixture(t, gintest.Options{})
	payload := `<script>alert(document.cookie)</script><img src=x onerror=alert(1)>"'&`
	for _, accept := range []string{"text/html", "application/json"} {
		cb := f.startLogin(t, "")
		q := url.Values{"state": {queryOf(t, cb).Get("state")}, "error": {"access_denied<svg onload=alert(2)>"},
			"error_description": {payload}, "error_uri": {"javascript:alert(3)"}}
		req, _ := http.NewRequest("GET", withQuery(t, cb, q), nil)
		req.Header.Set("Accept", accept)
		page, err := f.browser.Do(req)
		if err != nil || page.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s: %v %+v", accept, err, page)
		}
		for _, raw := range []string{"<script", "<img", "<svg", `"'&`} {
			if strings.Contains(page.Body, raw) {
				t.Fatalf("%s: %q reflected raw in %q", accept, raw, page.Body)
			}
		}
		if strings.Contains(page.Body, "javascript:") && strings.Contains(page.Body, "href=\"javascript") {
			t.Fatalf("%s: error_uri became a link: %q", accept, page.Body)
		}
		if strings.Contains(page.Body, "alert(document.cookie)") {
			t.Fatalf("%s: the provider's error_description reached the page: %q", accept, page.Body)
		}
		if accept == "text/html" {
			if page.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("headers %v", page.Header)
			}
		} else {
			mustContain(t, page.Body, `\u003csvg`) // the error code, escaped
		}
	}
}
