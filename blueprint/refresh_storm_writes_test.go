package blueprint_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// slotStore is a shared store (a RefreshLocker and TokenSlotter) keeping one
// token per user, the user named by the request's X-User header, as
// storage.Store keeps one per user key. It counts Set calls per user.
type slotStore struct {
	mu    sync.Mutex
	toks  map[string]*blueprint.Token
	locks map[string]chan struct{}
	sets  map[string]int
}

func newSlotStore() *slotStore {
	return &slotStore{toks: map[string]*blueprint.Token{}, locks: map[string]chan struct{}{}, sets: map[string]int{}}
}

func (s *slotStore) TokenSlot(c *gin.Context, _ string) (string, error) {
	return c.GetHeader("X-User"), nil
}

func (s *slotStore) Get(c *gin.Context, _ string) (*blueprint.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.toks[c.GetHeader("X-User")], nil
}

func (s *slotStore) Set(c *gin.Context, _ string, tok *blueprint.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.toks[c.GetHeader("X-User")] = tok
	s.sets[c.GetHeader("X-User")]++
	return nil
}

func (s *slotStore) Delete(c *gin.Context, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.toks, c.GetHeader("X-User"))
	return nil
}

func (s *slotStore) LockRefresh(ctx context.Context, c *gin.Context, _ string) (func(), error) {
	s.mu.Lock()
	l, ok := s.locks[c.GetHeader("X-User")]
	if !ok {
		l = make(chan struct{}, 1)
		s.locks[c.GetHeader("X-User")] = l
	}
	s.mu.Unlock()
	select {
	case l <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-l }) }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// slotStorm stores one expired token for each of users, then sends n
// requests released together, spread over the users, to one app on store.
// It fails the test unless every request succeeds with one refresh call.
func slotStorm(t *testing.T, store *slotStore, users []string, n int) *gintest.Provider {
	t.Helper()
	p := gintest.StartProvider(gintest.Options{RotateRefreshTokens: true, DetectRefreshReuse: true,
		User: &gintest.User{ID: "u-1", Login: "alice"}})
	t.Cleanup(p.Close)
	access, refresh := p.IssueToken("u-1", -time.Minute)
	for _, u := range users {
		store.toks[u] = &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
			Expiry: time.Now().Add(-time.Minute)}
	}
	url := serveStoreAPI(t, p, store, http.StatusBadGateway)
	p.Fail(gintest.Failure{TokenDelay: 50 * time.Millisecond}) // the requests race for the refresh
	p.ResetCalls()

	start := make(chan struct{})
	var wg sync.WaitGroup
	var ok atomic.Int32
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, url+"/api", nil)
			req.Header.Set("X-User", users[i%len(users)])
			<-start
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ok.Add(1)
			} else {
				t.Errorf("request %d: %d", i, resp.StatusCode)
			}
		})
	}
	close(start)
	wg.Wait()
	if ok.Load() != int32(n) {
		t.Fatalf("%d of %d requests succeeded", ok.Load(), n)
	}
	if c := p.Calls(gintest.EndpointRefresh); c != 1 {
		t.Fatalf("%d refresh calls, want 1", c)
	}
	return p
}

// A refresh storm on a shared store: the refreshing request stores the new
// token under the store's refresh lock, and the store is shared by every
// request of the user, so the racing requests do not write it again. Before
// TokenSlotter each of the n requests wrote it back (n+1 writes).
func TestRefreshStormOnSharedStoreWritesOnce(t *testing.T) {
	const n = 100
	store := newSlotStore()
	slotStorm(t, store, []string{"alice"}, n)
	if got := store.sets["alice"]; got != 1 {
		t.Fatalf("the store saw %d writes for %d racing requests, want 1 (the refresh's own, under the lock)", got, n)
	}
	if tok := store.toks["alice"]; tok == nil || tok.Expiry.Before(time.Now()) {
		t.Fatalf("the store holds %+v, want the refreshed token", tok)
	}
}

// The skip is per slot: when two users' slots hold the same token (an app
// that copied it), the refresh stores it in the refreshing request's slot
// only, and the other slot's requests still write it to theirs; a skip
// there would leave that slot with the spent refresh token.
func TestRefreshStormWritesOtherSlots(t *testing.T) {
	store := newSlotStore()
	slotStorm(t, store, []string{"alice", "bob"}, 20)
	for _, u := range []string{"alice", "bob"} {
		if tok := store.toks[u]; tok == nil || tok.Expiry.Before(time.Now()) {
			t.Fatalf("%s's slot holds %+v, want the refreshed token", u, tok)
		}
	}
}
