package blueprint_test

import (
	"context"
	"net/http"
	"net/url"
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

// A request may carry a token the blueprint refreshed a while ago: its
// store lost the refreshed token's write (a failover) or the request read
// it late. The blueprint remembers that refresh for DefaultRecentRefreshTTL,
// longer than a short-lived token lives; once the remembered token has come
// within the refresh leeway, it is refreshed in turn (with its own refresh
// token, the current one), instead of being handed out expired and refused
// by the API.
func TestRememberedRefreshThatExpiredIsRefreshedInTurn(t *testing.T) {
	clock, p, b := rotatingOnAClock(t)
	access, refresh := p.IssueToken("alice", lifetime)
	stale := &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", Expiry: clock.Now().Add(lifetime)}
	// a store that lost every write since: it always answers the first token
	b.TokenGetter(func(*gin.Context) (*blueprint.Token, error) { return stale.Clone(), nil })
	b.TokenSetter(func(*gin.Context, *blueprint.Token) error { return nil })
	step := clockSteps(t, meEngine(b), clock, p, stale.Expiry)
	step(lifetime-leeway, 1) // the stored token is refreshed
	step(time.Second, 1)     // the remembered result stands in for it
	step(lifetime, 2)        // the remembered result has expired: refreshed in turn
	if n := p.RefreshReuses(); n != 0 {
		t.Errorf("%d refreshes presented a used refresh token", n)
	}
}

// forgetfulBackend acknowledges conditional writes (a refreshed token
// written under the refresh lease) without making them while lose is set:
// a Redis master that acknowledged a write and died before its replica,
// now promoted, had it.
type forgetfulBackend struct {
	*memory.Backend
	lose atomic.Bool
}

func (b *forgetfulBackend) SaveIf(ctx context.Context, k storage.Key, old, data []byte, tok *blueprint.Token) (bool, error) {
	if b.lose.Load() {
		return true, nil
	}
	return b.Backend.SaveIf(ctx, k, old, data, tok)
}

// A shared store that lost the write of a refreshed token answers the token
// it replaced, whose refresh token the provider has rotated. The instance
// that made the refresh remembers it: it uses the refreshed token, and when
// that one must be refreshed in turn, it refreshes it (not the stored one,
// whose refresh token is spent) and writes the result back. The provider
// sees no refresh token twice (with reuse detection, that would end the
// grant), and the user stays logged in.
func TestStoreThatLostARefreshedTokenGetsItBack(t *testing.T) {
	lw := newLostWrite(t)
	lw.step(lifetime, 2) // the refreshed token is refreshed in turn, and written back
	lw.check(t)
}

// The same, when the API refuses the remembered token before its expiry
// (revoked: 401 invalid_token): refresh on 401 refreshes it, instead of
// writing it back as it is and sending it again.
func TestStoreThatLostARefreshedTokenGetsItBackAfterA401(t *testing.T) {
	lw := newLostWrite(t)
	c := storagetest.Request("u1")
	remembered, err := lw.b.Token(c)
	if err != nil || remembered == nil || remembered.AccessToken == lw.first.AccessToken {
		t.Fatalf("the request's token: %v %v, want the remembered refresh", remembered, err)
	}
	form := url.Values{"token": {remembered.AccessToken}, "client_id": {gintest.DefaultClientID},
		"client_secret": {gintest.DefaultClientSecret}}
	resp, err := http.PostForm(lw.p.RevokeURL(), form)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("revoking the remembered token: %v %v", resp, err)
	}
	resp.Body.Close()
	lw.step(0, 2) // 401 invalid_token: refreshed, sent again
	lw.check(t)
}

// lostWrite is a blueprint on a store that lost the write of the token it
// refreshed: the store holds first, the process remembers its refresh.
type lostWrite struct {
	clock *fakeClock
	p     *gintest.Provider
	b     *blueprint.Blueprint
	s     *storage.Store
	first *blueprint.Token
	step  func(advance time.Duration, wantRefreshes int)
}

func newLostWrite(t *testing.T) *lostWrite {
	lw := &lostWrite{}
	lw.clock, lw.p, lw.b = rotatingOnAClock(t)
	backend := &forgetfulBackend{Backend: &memory.Backend{}}
	lw.s = storage.New(backend, storage.Config{User: storagetest.User})
	lw.b.SetStorage(lw.s)
	access, refresh := lw.p.IssueToken("u1", lifetime)
	lw.first = &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", Expiry: lw.clock.Now().Add(lifetime)}
	if err := lw.s.SetFor(context.Background(), "fake", "u1", lw.first); err != nil {
		t.Fatal(err)
	}
	lw.step = clockSteps(t, meEngine(lw.b), lw.clock, lw.p, lw.first.Expiry, storagetest.UserHeader, "u1")
	backend.lose.Store(true)
	lw.step(lifetime-leeway, 1) // refreshed; the store acknowledges the write and loses it
	backend.lose.Store(false)
	stored, err := lw.s.GetFor(context.Background(), "fake", "u1")
	if err != nil || stored.AccessToken != lw.first.AccessToken {
		t.Fatalf("the store should still hold the first token (the write was lost): %v %v", stored, err)
	}
	lw.step(time.Second, 1) // the remembered refresh stands in for the stored token
	return lw
}

// check: no refresh token presented twice, and the store holds a token
// newer than first and usable.
func (lw *lostWrite) check(t *testing.T) {
	t.Helper()
	if n := lw.p.RefreshReuses(); n != 0 {
		t.Errorf("%d refreshes presented a used refresh token", n)
	}
	stored, err := lw.s.GetFor(context.Background(), "fake", "u1")
	if err != nil || stored == nil || stored.AccessToken == lw.first.AccessToken || stored.Expired(lw.clock.Now(), leeway) ||
		lw.p.Revoked(stored.AccessToken) {
		t.Errorf("the store holds %+v (%v), want the newest refreshed token", stored, err)
	}
}

// The lifetime of the tokens rotatingOnAClock's provider issues, and the
// blueprint's refresh leeway.
const lifetime, leeway = 10 * time.Second, 2 * time.Second

// rotatingOnAClock starts a provider that rotates refresh tokens and detects
// their reuse, and a blueprint for it, both on one fake clock.
func rotatingOnAClock(t *testing.T) (*fakeClock, *gintest.Provider, *blueprint.Blueprint) {
	clock := &fakeClock{now: time.Now().Truncate(time.Second)}
	p := gintest.StartProvider(gintest.Options{TokenLifetime: lifetime, Now: clock.Now,
		RotateRefreshTokens: true, DetectRefreshReuse: true})
	t.Cleanup(p.Close)
	cfg := p.OAuth2Config()
	cfg.Now, cfg.RefreshLeeway = clock.Now, leeway
	return clock, p, blueprint.NewOAuth2("fake", cfg)
}

// meEngine serves GET / by calling the provider's API through b.Client and
// answers the API's status.
func meEngine(b *blueprint.Blueprint) *gin.Engine {
	r := gin.New()
	r.GET("/", func(c *gin.Context) {
		resp, err := b.Client(c).Get("me")
		if err != nil {
			c.String(http.StatusBadGateway, err.Error())
			return
		}
		resp.Body.Close()
		c.Status(resp.StatusCode)
	})
	return r
}

// clockSteps returns step: advance clock, serve GET / (with header), and
// expect 200 and wantRefreshes refresh calls at p so far. expiry is the
// first token's, for the messages.
func clockSteps(t *testing.T, r *gin.Engine, clock *fakeClock, p *gintest.Provider, expiry time.Time, header ...string) func(advance time.Duration, wantRefreshes int) {
	return func(advance time.Duration, wantRefreshes int) {
		t.Helper()
		clock.Advance(advance)
		if w := serve(r, "GET", "/", nil, header...); w.Code != http.StatusOK {
			t.Fatalf("clock at the first token's expiry%+v: %d %s", clock.Now().Sub(expiry), w.Code, w.Body)
		}
		if n := p.Calls(gintest.EndpointRefresh); n != wantRefreshes {
			t.Fatalf("clock at the first token's expiry%+v: %d refreshes, want %d", clock.Now().Sub(expiry), n, wantRefreshes)
		}
	}
}
