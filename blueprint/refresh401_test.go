package blueprint_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
	"github.com/gindance/gindance/storage/storagetest"
)

// resourceAPI is an API of its own origin that accepts the tokens the fake
// provider's /api/me accepts, and answers any other with 401 and its
// challenge (RFC 6750 §3.1 by default).
type resourceAPI struct {
	*httptest.Server
	p         *gintest.Provider
	challenge string
	refuseAll atomic.Bool
	calls     atomic.Int32
	mu        sync.Mutex
	bodies    []string
	// held calls wait until this many have arrived (or 5 s), so that
	// they race for real
	held    int
	arrived chan struct{}
}

// holdFirst makes the first n calls wait for each other.
func (a *resourceAPI) holdFirst(n int) {
	a.held, a.arrived = n, make(chan struct{})
}

func newResourceAPI(t *testing.T, p *gintest.Provider) *resourceAPI {
	a := &resourceAPI{p: p, challenge: `Bearer realm="api", error="invalid_token", error_description="expired"`}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Close)
	return a
}

func (a *resourceAPI) serve(w http.ResponseWriter, r *http.Request) {
	if k := int(a.calls.Add(1)); k <= a.held {
		if k == a.held {
			close(a.arrived)
		}
		select {
		case <-a.arrived:
		case <-time.After(5 * time.Second):
		}
	}
	body, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	a.bodies = append(a.bodies, string(body))
	a.mu.Unlock()
	if !a.refuseAll.Load() && a.valid(r.Header.Get("Authorization")) {
		io.WriteString(w, "ok "+string(body))
		return
	}
	w.Header().Set("WWW-Authenticate", a.challenge)
	w.WriteHeader(http.StatusUnauthorized)
}

func (a *resourceAPI) valid(auth string) bool {
	req, _ := http.NewRequest(http.MethodGet, a.p.APIBaseURL()+"me", nil)
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// revokedEarly sets up a user whose stored token says it is good for an
// hour but which the provider has already expired (a provider that revoked
// it early, or one whose clock is ahead), with a refresh token: the
// blueprint, its server-side store and the API.
func revokedEarly(t *testing.T, tweak ...func(*blueprint.OAuth2Config)) (*gintest.Provider, *blueprint.Blueprint, *storage.Store, *resourceAPI) {
	t.Helper()
	p := gintest.StartProvider(gintest.Options{RotateRefreshTokens: true, DetectRefreshReuse: true})
	t.Cleanup(p.Close)
	api := newResourceAPI(t, p)
	bp := p.NewBlueprint("fake", append([]func(*blueprint.OAuth2Config){func(c *blueprint.OAuth2Config) {
		c.AllowedHosts = []string{api.URL}
	}}, tweak...)...)
	s := memory.New(storage.Config{User: storagetest.User})
	bp.SetStorage(s)
	access, refresh := p.IssueToken("u1", -time.Minute)
	tok := &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}
	if err := s.SetFor(context.Background(), "fake", "u1", tok); err != nil {
		t.Fatal(err)
	}
	return p, bp, s, api
}

// asUser serves one request of user u1 whose handler runs fn with the
// request's context.
func asUser(bp *blueprint.Blueprint, fn func(c *gin.Context) (string, error)) (string, error) {
	var out string
	var err error
	r := gin.New()
	r.GET("/", func(c *gin.Context) { out, err = fn(c) })
	serve(r, http.MethodGet, "/", nil, storagetest.UserHeader, "u1")
	return out, err
}

func answer(resp *http.Response, err error) (string, error) {
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.Status + " " + string(b), nil
}

// RFC 6750 §3.1: a 401 with error="invalid_token" for a token the provider
// refused early is answered with one refresh for however many calls race
// with it, and each call is sent again once and succeeds.
func TestRefreshOn401OneRefreshForRacingCallsRFC6750(t *testing.T) {
	p, bp, s, api := revokedEarly(t)
	const n = 20
	api.holdFirst(n) // every call is sent with the refused token
	var wg sync.WaitGroup
	got := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			got[i], errs[i] = asUser(bp, func(c *gin.Context) (string, error) {
				if i%2 == 0 {
					return answer(bp.Client(c).Get(api.URL + "/x"))
				}
				req, _ := http.NewRequestWithContext(c.Request.Context(), http.MethodGet, api.URL+"/x", nil)
				return answer(bp.Client(c).HTTPClient().Do(req))
			})
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || !strings.HasPrefix(got[i], "200") {
			t.Errorf("call %d: %q, %v; want 200 after one refresh", i, got[i], errs[i])
		}
	}
	if r := p.Calls(gintest.EndpointRefresh); r != 1 {
		t.Errorf("%d refreshes for %d racing calls that got 401, want 1", r, n)
	}
	if p.RefreshReuses() != 0 {
		t.Errorf("a spent refresh token was presented again %d times", p.RefreshReuses())
	}
	tok, _ := s.GetFor(context.Background(), "fake", "u1")
	if tok == nil || !api.valid("Bearer "+tok.AccessToken) {
		t.Errorf("the stored token is not the refreshed one: %+v", tok)
	}
}

// A POST whose body cannot be read twice is not sent again: its 401 is
// returned as it is, and nothing is refreshed.
func TestRefreshOn401NotForABodyThatCannotBeReplayed(t *testing.T) {
	p, bp, _, api := revokedEarly(t)
	got, err := asUser(bp, func(c *gin.Context) (string, error) {
		body := io.MultiReader(strings.NewReader("once")) // no GetBody
		return answer(bp.Client(c).Post(api.URL+"/x", "text/plain", body))
	})
	if err != nil || !strings.HasPrefix(got, "401") {
		t.Errorf("POST with a one-shot body: %q, %v; want the API's 401", got, err)
	}
	if r := p.Calls(gintest.EndpointRefresh); r != 0 || api.calls.Load() != 1 {
		t.Errorf("%d refreshes, %d API calls; want 0 and 1", r, api.calls.Load())
	}
	// A body that can be given again (strings.Reader: GetBody) is sent twice.
	got, err = asUser(bp, func(c *gin.Context) (string, error) {
		return answer(bp.Client(c).Post(api.URL+"/x", "text/plain", strings.NewReader("twice")))
	})
	if err != nil || got != "200 OK ok twice" {
		t.Errorf("POST with a replayable body: %q, %v; want 200 with the body", got, err)
	}
}

// A 401 whose challenge is not invalid_token (no error, or another one) is
// not answered with a refresh.
func TestRefreshOn401NotWithoutInvalidToken(t *testing.T) {
	for _, ch := range []string{`Bearer realm="api"`, `Bearer error="insufficient_scope"`, `Basic realm="api"`, ``} {
		p, bp, _, api := revokedEarly(t)
		api.challenge = ch
		got, err := asUser(bp, func(c *gin.Context) (string, error) { return answer(bp.Client(c).Get(api.URL + "/x")) })
		if err != nil || !strings.HasPrefix(got, "401") || p.Calls(gintest.EndpointRefresh) != 0 {
			t.Errorf("challenge %q: %q, %v, %d refreshes; want the 401 and no refresh", ch, got, err, p.Calls(gintest.EndpointRefresh))
		}
	}
}

// A second 401, for the refreshed token, is returned as it is: one refresh,
// two sends.
func TestRefreshOn401SecondIsReturned(t *testing.T) {
	p, bp, _, api := revokedEarly(t)
	api.refuseAll.Store(true)
	got, err := asUser(bp, func(c *gin.Context) (string, error) { return answer(bp.Client(c).Get(api.URL + "/x")) })
	if err != nil || !strings.HasPrefix(got, "401") {
		t.Errorf("%q, %v; want the second 401", got, err)
	}
	if r, n := p.Calls(gintest.EndpointRefresh), api.calls.Load(); r != 1 || n != 2 {
		t.Errorf("%d refreshes, %d API calls; want 1 and 2", r, n)
	}
}

// Options.DisableRefreshOn401 returns the API's 401 without a refresh.
func TestRefreshOn401OptOut(t *testing.T) {
	p, bp, _, api := revokedEarly(t, func(c *blueprint.OAuth2Config) { c.DisableRefreshOn401 = true })
	got, err := asUser(bp, func(c *gin.Context) (string, error) { return answer(bp.Client(c).Get(api.URL + "/x")) })
	if err != nil || !strings.HasPrefix(got, "401") || p.Calls(gintest.EndpointRefresh) != 0 {
		t.Errorf("%q, %v, %d refreshes; want the 401 and no refresh", got, err, p.Calls(gintest.EndpointRefresh))
	}
}

// A refresh the provider refuses with invalid_grant after a 401 forgets
// the token: the call fails with ErrNotAuthorized, not the 401.
func TestRefreshOn401InvalidGrantForgetsTheToken(t *testing.T) {
	p, bp, s, api := revokedEarly(t)
	p.Fail(gintest.Failure{TokenError: "invalid_grant"})
	_, err := asUser(bp, func(c *gin.Context) (string, error) { return answer(bp.Client(c).Get(api.URL + "/x")) })
	if !errors.Is(err, blueprint.ErrNotAuthorized) {
		t.Errorf("err %v, want ErrNotAuthorized", err)
	}
	if tok, _ := s.GetFor(context.Background(), "fake", "u1"); tok != nil {
		t.Error("the token was kept after invalid_grant")
	}
}
