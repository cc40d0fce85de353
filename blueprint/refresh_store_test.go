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
)

// sharedStore is a store shared by replicas, as a database or Redis is:
// one token, a refresh lock, and writes that fail while down is set.
type sharedStore struct {
	mu   sync.Mutex
	tok  *blueprint.Token
	lock chan struct{}
	down atomic.Bool
	sets atomic.Int32
}

var errStoreDown = errors.New("store down")

func newSharedStore(tok *blueprint.Token) *sharedStore {
	return &sharedStore{tok: tok, lock: make(chan struct{}, 1)}
}

func (s *sharedStore) Get(*gin.Context, string) (*blueprint.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tok, nil
}

func (s *sharedStore) Set(_ *gin.Context, _ string, tok *blueprint.Token) error {
	s.sets.Add(1)
	if s.down.Load() {
		return errStoreDown
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tok = tok
	return nil
}

func (s *sharedStore) Delete(*gin.Context, string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tok = nil
	return nil
}

func (s *sharedStore) LockRefresh(ctx context.Context, _ *gin.Context, _ string) (func(), error) {
	select {
	case s.lock <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-s.lock }) }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// serveStoreAPI starts one replica of an app whose blueprint keeps tokens in
// store: GET /api answers the provider API's login for the request's user,
// or failStatus and the error. It returns the replica's URL.
func serveStoreAPI(t *testing.T, p *gintest.Provider, store blueprint.Storage, failStatus int) string {
	t.Helper()
	b := p.NewBlueprint("fake")
	b.SetStorage(store)
	r := gin.New()
	r.GET("/api", func(c *gin.Context) {
		var me map[string]any
		if err := b.Client(c).GetJSON("me", &me); err != nil {
			c.String(failStatus, "%v", err)
			return
		}
		c.String(http.StatusOK, "%v", me["login"])
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL
}

// A refresh whose new token cannot be stored (the store went down after
// the provider answered) must not lose it: with rotation the old refresh
// token is spent, and refreshing with it again is a reuse that revokes the
// grant. The blueprint keeps the token and the refresh lock and stores it
// once the store is back; a replica waiting for the lock then reads the
// new token instead of refreshing again.
func TestRefreshedTokenKeptWhenStoreWriteFails(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{RotateRefreshTokens: true, DetectRefreshReuse: true,
		User: &gintest.User{ID: "u-1", Login: "alice"}})
	t.Cleanup(p.Close)
	access, refresh := p.IssueToken("u-1", -time.Minute)
	store := newSharedStore(&blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
		Expiry: time.Now().Add(-time.Minute)})
	var urls []string
	for range 2 { // two replicas
		urls = append(urls, serveStoreAPI(t, p, store, http.StatusServiceUnavailable))
	}

	store.down.Store(true)
	code, body, err := rawGet(context.Background(), t, urls[0]+"/api", nil)
	if err != nil || code != http.StatusServiceUnavailable {
		t.Fatalf("with the store down: %d %q %v, want the store's error", code, body, err)
	}
	if p.Calls(gintest.EndpointRefresh) != 1 {
		t.Fatalf("%d refreshes", p.Calls(gintest.EndpointRefresh))
	}
	// a later request on the first replica reuses the refreshed token, which
	// is stored nowhere yet: it writes it itself, and reports the failure
	code, body, err = rawGet(context.Background(), t, urls[0]+"/api", nil)
	if err != nil || code != http.StatusServiceUnavailable || !strings.Contains(body, errStoreDown.Error()) {
		t.Fatalf("again with the store down: %d %q %v, want the store's error", code, body, err)
	}
	// the other replica comes while the store is still down: it waits for
	// the lock instead of refreshing with the spent refresh token
	done := make(chan string, 1)
	go func() {
		_, body, _ := rawGet(context.Background(), t, urls[1]+"/api", nil)
		done <- body
	}()
	time.Sleep(200 * time.Millisecond)
	store.down.Store(false)
	select {
	case body := <-done:
		if body != "alice" {
			t.Fatalf("the other replica after the store came back: %q", body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the other replica still waits 10 s after the store came back")
	}
	if n := p.RefreshReuses(); n != 0 {
		t.Fatalf("%d refreshes with a spent refresh token: the refreshed token was lost", n)
	}
	if n := p.Calls(gintest.EndpointRefresh); n != 1 {
		t.Fatalf("%d refreshes in all, want 1", n)
	}
	if tok, _ := store.Get(nil, "fake"); tok == nil || tok.AccessToken == access {
		t.Fatalf("the store holds %+v, want the refreshed token", tok)
	}
	code, body, _ = rawGet(context.Background(), t, urls[0]+"/api", nil)
	if code != 200 || body != "alice" {
		t.Fatalf("first replica afterwards: %d %q", code, body)
	}
}

// TokenSlot: the store holds one user's token, shared by every request.
func (s *sharedStore) TokenSlot(*gin.Context, string) (string, error) { return "the-user", nil }
