package blueprint_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// shortLived makes every token the provider issues expire within the
// refresh leeway, so the next API call refreshes it.
var shortLived = gintest.Options{TokenLifetime: 30 * time.Second}

// loggedIn logs the fixture's browser in and returns its cookies.
func (f *fixture) loggedIn(t *testing.T) []*http.Cookie {
	t.Helper()
	if page := f.get(t, "/login/fake"); page.Body != "home authorized=true" {
		t.Fatalf("login: %d %q", page.StatusCode, page.Body)
	}
	// the landing page's Authorized already refreshed a short-lived token
	f.p.ResetCalls()
	return f.browser.Cookies(f.app.URL)
}

// rawGet sends a GET with exactly these cookies (no jar), as a browser tab
// that has not seen other tabs' responses yet.
func rawGet(ctx context.Context, t *testing.T, u string, cookies []*http.Cookie) (int, string, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// countingStorage counts Set calls on top of the session storage.
type countingStorage struct {
	blueprint.SessionStorage
	sets atomic.Int32
}

func (s *countingStorage) Set(c *gin.Context, name string, tok *blueprint.Token) error {
	s.sets.Add(1)
	return s.SessionStorage.Set(c, name, tok)
}

// 50 requests racing with one expiring token make one refresh call; every
// request succeeds and stores the new token through the storage.
func TestConcurrentRequestsRefreshOnce(t *testing.T) {
	for _, rotate := range []bool{false, true} {
		opts := shortLived
		opts.RotateRefreshTokens, opts.DetectRefreshReuse = rotate, rotate
		f := newFixture(t, opts)
		st := &countingStorage{}
		f.b.SetStorage(st)
		cookies := f.loggedIn(t)
		st.sets.Store(0)

		var wg sync.WaitGroup
		var ok atomic.Int32
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, body, err := rawGet(context.Background(), t, f.app.URL+"/api", cookies)
				if err == nil && code == 200 && body == "alice" {
					ok.Add(1)
				} else {
					t.Errorf("rotate=%v: %d %q %v", rotate, code, body, err)
				}
			}()
		}
		wg.Wait()
		if n := f.p.Calls(gintest.EndpointRefresh); n != 1 {
			t.Fatalf("rotate=%v: %d refresh calls; want 1", rotate, n)
		}
		if ok.Load() != 50 || st.sets.Load() != 50 {
			t.Fatalf("rotate=%v: %d succeeded, %d stored", rotate, ok.Load(), st.sets.Load())
		}
		// A late request with the old cookie reuses the result instead of
		// presenting the (rotated, now reused) refresh token again.
		if code, body, _ := rawGet(context.Background(), t, f.app.URL+"/api", cookies); code != 200 || body != "alice" {
			t.Fatalf("rotate=%v late request: %d %q", rotate, code, body)
		}
		if n := f.p.Calls(gintest.EndpointRefresh); n != 1 {
			t.Fatalf("rotate=%v: late request refreshed again (%d calls)", rotate, n)
		}
	}
}

// RFC 6749 §6: a rotated refresh token replaces the stored one; without a
// new one the old one is kept.
func TestRefreshKeepsOrReplacesRefreshToken(t *testing.T) {
	for _, rotate := range []bool{false, true} {
		opts := shortLived
		opts.RotateRefreshTokens = rotate
		f := newFixture(t, opts)
		var seen []*blueprint.Token
		f.b.TokenSetter(func(c *gin.Context, tok *blueprint.Token) error {
			seen = append(seen, tok)
			return blueprint.SessionStorage{}.Set(c, "fake", tok)
		})
		f.loggedIn(t)
		f.get(t, "/api")
		f.get(t, "/api")
		if len(seen) != 4 {
			t.Fatalf("rotate=%v: %d tokens stored; want login + 3 refreshes (landing page, 2 API calls)", rotate, len(seen))
		}
		seen = seen[1:]
		same := seen[0].RefreshToken == seen[1].RefreshToken && seen[1].RefreshToken == seen[2].RefreshToken
		if rotate == same || seen[2].RefreshToken == "" {
			t.Fatalf("rotate=%v: refresh tokens %q %q %q", rotate, seen[0].RefreshToken, seen[1].RefreshToken, seen[2].RefreshToken)
		}
		if f.p.Calls(gintest.EndpointRefresh) != 2 {
			t.Fatalf("refresh calls %d", f.p.Calls(gintest.EndpointRefresh))
		}
	}
}

// RFC 6749 §5.2 invalid_grant: the token is forgotten and the request is
// not authorized; the user logs in again.
func TestInvalidGrantForgetsToken(t *testing.T) {
	f := newFixture(t, shortLived)
	f.loggedIn(t)
	f.p.Fail(gintest.Failure{TokenError: "invalid_grant", ErrorOnGrant: "refresh_token"})
	page := f.get(t, "/api")
	if page.StatusCode != 401 {
		t.Fatalf("%d %q", page.StatusCode, page.Body)
	}
	mustContain(t, page.Body, blueprint.ErrNotAuthorized.Error())
	f.p.Fail(gintest.Failure{})
	if got := f.get(t, "/").Body; got != "home authorized=false" {
		t.Fatalf("token kept after invalid_grant: %q", got)
	}
	if f.p.Calls(gintest.EndpointRefresh) != 1 {
		t.Fatalf("refresh calls %d", f.p.Calls(gintest.EndpointRefresh))
	}
}

// A refresh failure that is not invalid_grant (the provider is down) keeps
// the token: no silent logout.
func TestProviderOutageDuringRefreshKeepsToken(t *testing.T) {
	f := newFixture(t, shortLived)
	f.loggedIn(t)
	f.p.Fail(gintest.Failure{TokenStatus: 503, ErrorOnGrant: "refresh_token"})
	page := f.get(t, "/api")
	if page.StatusCode != 401 {
		t.Fatalf("%d", page.StatusCode)
	}
	f.p.Fail(gintest.Failure{})
	time.Sleep(blueprint.DefaultRefreshBackoff) // a 503 asks the client to wait
	if got := f.get(t, "/api").Body; got != "alice" {
		t.Fatalf("after the outage: %q", got)
	}
}

// x/oauth2 #388: the refresh runs on its own context, so a request that
// gives up does not fail the refresh other requests are waiting for.
func TestCancelledRequestDoesNotCancelSharedRefresh(t *testing.T) {
	f := newFixture(t, shortLived)
	cookies := f.loggedIn(t)
	f.p.Fail(gintest.Failure{TokenDelay: 300 * time.Millisecond, ErrorOnGrant: "refresh_token"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, _, err := rawGet(ctx, t, f.app.URL+"/api", cookies); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("impatient request: %v", err)
		}
	}()
	time.Sleep(20 * time.Millisecond)
	code, body, err := rawGet(context.Background(), t, f.app.URL+"/api", cookies)
	<-done
	if err != nil || code != 200 || body != "alice" {
		t.Fatalf("patient request: %d %q %v", code, body, err)
	}
	if n := f.p.Calls(gintest.EndpointRefresh); n != 1 {
		t.Fatalf("%d refresh calls", n)
	}
}

// RFC 6585 §4, RFC 9110 §15.6.4: a provider that answers a refresh with 429
// or 503, or drops the connection, is overloaded. Requests that keep coming with the token must not
// each try again: the blueprint waits Retry-After (or
// DefaultRefreshBackoff) before the next refresh, failing those requests
// at once with the same error, and keeps the token.
func TestRefreshBacksOffAfter429And503(t *testing.T) {
	for _, tc := range []struct {
		status     int // 0: the provider drops the connection
		retryAfter time.Duration
	}{{http.StatusTooManyRequests, time.Second}, {http.StatusServiceUnavailable, 0}, {0, 0}} {
		f := newFixture(t, shortLived)
		f.loggedIn(t)
		f.p.Fail(gintest.Failure{TokenStatus: tc.status, TokenRetryAfter: tc.retryAfter, TokenDrop: tc.status == 0,
			ErrorOnGrant: "refresh_token"})
		want := fmt.Sprintf("refresh failed (HTTP %d)", tc.status)
		if tc.status == 0 {
			want = "refresh failed: Post"
		}
		// The back-off runs from the failed refresh, which is after start
		// and before the first request's answer (failed): it is surely on
		// before start+wait and surely over after failed+wait. On a loaded
		// box the first request can take longer than any fixed margin.
		start := time.Now()
		var failed time.Time
		for i := range 20 {
			page := f.get(t, "/api")
			if page.StatusCode != 401 || !strings.Contains(page.Body, want) {
				t.Fatalf("%d: request %d: %d %q, want the provider's %d", tc.status, i, page.StatusCode, page.Body, tc.status)
			}
			if i == 0 {
				failed = time.Now()
			}
		}
		if n := f.p.Calls(gintest.EndpointRefresh); n != 1 {
			t.Fatalf("%d: 20 requests made %d refresh calls, want 1 until the back-off ends", tc.status, n)
		}
		f.p.Fail(gintest.Failure{})
		wait := tc.retryAfter
		if wait == 0 {
			wait = blueprint.DefaultRefreshBackoff
		}
		if time.Since(start) < wait {
			if page := f.get(t, "/api"); page.StatusCode != 401 || f.p.Calls(gintest.EndpointRefresh) != 1 {
				t.Fatalf("%d: within the back-off: %d %q, %d refresh calls", tc.status, page.StatusCode, page.Body, f.p.Calls(gintest.EndpointRefresh))
			}
		}
		time.Sleep(time.Until(failed.Add(wait + 50*time.Millisecond)))
		if page := f.get(t, "/api"); page.Body != "alice" {
			t.Fatalf("%d: after the back-off: %d %q (token forgotten?)", tc.status, page.StatusCode, page.Body)
		}
		if n := f.p.Calls(gintest.EndpointRefresh); n != 2 {
			t.Fatalf("%d: %d refresh calls in all, want 2", tc.status, n)
		}
	}
}
