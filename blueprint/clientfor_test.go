package blueprint_test

import (
	"context"
	"errors"
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

// expiredFor sets up user u1 with an expired token (and a good refresh
// token) in a server-side store.
func expiredFor(t *testing.T) (*gintest.Provider, *blueprint.Blueprint, *storage.Store) {
	t.Helper()
	p := gintest.StartProvider(gintest.Options{RotateRefreshTokens: true, DetectRefreshReuse: true})
	t.Cleanup(p.Close)
	bp := p.NewBlueprint("fake")
	s := memory.New(storage.Config{User: storagetest.User})
	bp.SetStorage(s)
	access, refresh := p.IssueToken("u1", -time.Minute)
	tok := &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", Expiry: time.Now().Add(-time.Minute)}
	if err := s.SetFor(context.Background(), "fake", "u1", tok); err != nil {
		t.Fatal(err)
	}
	return p, bp, s
}

// A background job (ClientFor, TokenSourceFor) and requests (Client,
// TokenSource) racing for one expired token make one refresh between them.
func TestClientForSharesTheRefreshWithRequests(t *testing.T) {
	p, bp, s := expiredFor(t)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := range 16 {
		wg.Go(func() {
			var who string
			var err error
			switch i % 4 {
			case 0:
				var cl *blueprint.Client
				if cl, err = bp.ClientFor(context.Background(), "u1"); err == nil {
					var me struct{ ID string }
					err, who = cl.GetJSON("me", &me), me.ID
				}
			case 1:
				var tok interface{ Valid() bool }
				tok, err = bp.TokenSourceFor(context.Background(), "u1").Token()
				if err == nil && !tok.Valid() {
					err = errors.New("invalid token")
				}
				who = "u1"
			case 2:
				who, err = asUser(bp, func(c *gin.Context) (string, error) {
					var me struct{ ID string }
					err := bp.Client(c).GetJSON("me", &me)
					return me.ID, err
				})
			case 3:
				who, err = asUser(bp, func(c *gin.Context) (string, error) {
					tok, err := bp.TokenSource(c).Token()
					if err != nil {
						return "", err
					}
					if tok.RefreshToken != "" {
						return "", errors.New("the TokenSource handed out the refresh token")
					}
					return "u1", nil
				})
			}
			if err != nil || who != "u1" {
				failed.Add(1)
				t.Errorf("caller %d: %q, %v", i, who, err)
			}
		})
	}
	wg.Wait()
	if n := p.Calls(gintest.EndpointRefresh); n != 1 || p.RefreshReuses() != 0 {
		t.Errorf("%d refreshes, %d reuses of a spent refresh token; want 1 and 0", n, p.RefreshReuses())
	}
	if tok, _ := s.GetFor(context.Background(), "fake", "u1"); tok == nil || tok.Expired(time.Now(), time.Minute) {
		t.Errorf("stored after the refresh: %+v, want the refreshed token", tok)
	}
}

// ClientFor needs tokens kept by user key: the session storage, an app's
// own getter, an unknown user and a deleted token are clear errors.
func TestClientForErrors(t *testing.T) {
	ctx := context.Background()
	p := gintest.StartProvider(gintest.Options{})
	t.Cleanup(p.Close)

	bp := p.NewBlueprint("fake") // SessionStorage
	if _, err := bp.ClientFor(ctx, "u1"); !errors.Is(err, blueprint.ErrNoUserStorage) {
		t.Errorf("session storage: %v, want ErrNoUserStorage", err)
	}
	if _, err := bp.TokenSourceFor(ctx, "u1").Token(); !errors.Is(err, blueprint.ErrNoUserStorage) {
		t.Errorf("session storage, TokenSourceFor: %v, want ErrNoUserStorage", err)
	}

	s := memory.New(storage.Config{User: storagetest.User})
	bp.SetStorage(s)
	if _, err := bp.ClientFor(ctx, "nobody"); !errors.Is(err, blueprint.ErrNotAuthorized) {
		t.Errorf("unknown user: %v, want ErrNotAuthorized", err)
	}
	if _, err := bp.ClientFor(ctx, ""); !errors.Is(err, blueprint.ErrNotAuthorized) {
		t.Errorf("empty user key: %v, want ErrNotAuthorized", err)
	}
	access, _ := p.IssueToken("u1", time.Hour)
	_ = s.SetFor(ctx, "fake", "u1", &blueprint.Token{AccessToken: access, Expiry: time.Now().Add(time.Hour)})
	cl, err := bp.ClientFor(ctx, "u1")
	if err != nil {
		t.Fatalf("stored user: %v", err)
	}
	if err := cl.GetJSON("me", new(struct{})); err != nil {
		t.Errorf("stored user's call: %v", err)
	}
	_ = s.DeleteFor(ctx, "fake", "u1")
	if _, err := bp.ClientFor(ctx, "u1"); !errors.Is(err, blueprint.ErrNotAuthorized) {
		t.Errorf("deleted token: %v, want ErrNotAuthorized", err)
	}

	bp.TokenGetter(func(*gin.Context) (*blueprint.Token, error) { return nil, nil })
	if _, err := bp.ClientFor(ctx, "u1"); !errors.Is(err, blueprint.ErrNoUserStorage) {
		t.Errorf("with TokenGetter: %v, want ErrNoUserStorage", err)
	}
}

// HTTPClient and ClientFor's HTTPClient refuse an origin other than the
// API's before any header leaves, for an absolute URL and for a redirect,
// with ErrForeignHost.
func TestHTTPClientRefusesForeignHosts(t *testing.T) {
	var leaked atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Add(1)
	}))
	t.Cleanup(foreign.Close)
	p, bp, s, api := revokedEarly(t)
	redirector := httptest.NewServer(http.RedirectHandler(foreign.URL+"/steal", http.StatusFound))
	t.Cleanup(redirector.Close)
	bp2 := p.NewBlueprint("fake", func(c *blueprint.OAuth2Config) { c.AllowedHosts = []string{api.URL, redirector.URL} })
	bp2.SetStorage(s)
	_ = bp

	try := func(hc *http.Client, ctx context.Context, target string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	for _, target := range []string{foreign.URL + "/x", redirector.URL + "/x"} {
		_, err := asUser(bp2, func(c *gin.Context) (string, error) {
			return "", try(bp2.Client(c).HTTPClient(), c.Request.Context(), target)
		})
		if !errors.Is(err, blueprint.ErrForeignHost) {
			t.Errorf("HTTPClient, %s: %v, want ErrForeignHost", target, err)
		}
		cl, err := bp2.ClientFor(context.Background(), "u1")
		if err != nil {
			t.Fatal(err)
		}
		if err := try(cl.HTTPClient(), context.Background(), target); !errors.Is(err, blueprint.ErrForeignHost) {
			t.Errorf("ClientFor's HTTPClient, %s: %v, want ErrForeignHost", target, err)
		}
	}
	if n := leaked.Load(); n != 0 {
		t.Errorf("the foreign host got %d requests", n)
	}
	_, err := asUser(bp2, func(c *gin.Context) (string, error) {
		return "", try(bp2.Client(c).HTTPClient(), c.Request.Context(), "/relative")
	})
	if err == nil || !strings.Contains(err.Error(), "absolute URL") {
		t.Errorf("relative URL: %v, want an error asking for an absolute URL", err)
	}
}

// ClientFor's refresh is the requests' refresh: a provider answering 503
// makes the job fail with the provider's error and the user's next request
// wait out the back-off without calling it; invalid_grant forgets the
// stored token (RFC 6749 §5.2).
func TestClientForBackOffAndInvalidGrant(t *testing.T) {
	p, bp, s := expiredFor(t)
	p.Fail(gintest.Failure{TokenStatus: http.StatusServiceUnavailable, ErrorOnGrant: "refresh_token"})
	var pe *blueprint.ProviderError
	if _, err := bp.ClientFor(context.Background(), "u1"); !errors.As(err, &pe) || pe.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("job during a 503: %v, want the provider's 503", err)
	}
	calls := p.Calls(gintest.EndpointRefresh)
	_, err := asUser(bp, func(c *gin.Context) (string, error) { return answer(bp.Client(c).Get("me")) })
	if !errors.As(err, &pe) || p.Calls(gintest.EndpointRefresh) != calls {
		t.Errorf("request right after: %v, %d more refresh calls; want the same error and none", err, p.Calls(gintest.EndpointRefresh)-calls)
	}

	p, bp, s = expiredFor(t)
	p.Fail(gintest.Failure{TokenError: "invalid_grant"})
	if _, err := bp.ClientFor(context.Background(), "u1"); !errors.Is(err, blueprint.ErrNotAuthorized) {
		t.Fatalf("job after invalid_grant: %v, want ErrNotAuthorized", err)
	}
	if tok, _ := s.GetFor(context.Background(), "fake", "u1"); tok != nil {
		t.Error("the token was kept after invalid_grant")
	}
}
