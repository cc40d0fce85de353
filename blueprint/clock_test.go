package blueprint_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// fakeClock is a settable clock for Options.Now and gintest.Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Options.Now is the clock of every expiry decision: with the blueprint's
// and the provider's clocks an hour ahead of the machine's, the token is
// refreshed when that clock reaches its expiry less RefreshLeeway, not
// before, and the refreshed token's Expiry is that clock plus expires_in
// (not x/oauth2's time.Now plus expires_in).
func TestOptionsNowDrivesRefresh(t *testing.T) {
	const lifetime, leeway = 5 * time.Minute, time.Minute
	clock := &fakeClock{now: time.Now().Add(time.Hour).Truncate(time.Second)}
	p := gintest.StartProvider(gintest.Options{TokenLifetime: lifetime, Now: clock.Now})
	defer p.Close()
	cfg := p.OAuth2Config()
	cfg.Now, cfg.RefreshLeeway = clock.Now, leeway
	b := blueprint.NewOAuth2("fake", cfg)
	access, refresh := p.IssueToken("alice", lifetime)
	stored := &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", Expiry: clock.Now().Add(lifetime)}
	b.TokenGetter(func(*gin.Context) (*blueprint.Token, error) { return stored, nil })
	b.TokenSetter(func(_ *gin.Context, tok *blueprint.Token) error { stored = tok; return nil })
	r := gin.New()
	r.GET("/", func(c *gin.Context) {
		if _, err := b.Token(c); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
		}
	})
	step := func(advance time.Duration, wantRefreshes int) {
		t.Helper()
		clock.Advance(advance)
		if w := serve(r, "GET", "/", nil); w.Code != http.StatusOK {
			t.Fatalf("after %v: %d %s", advance, w.Code, w.Body)
		}
		if n := p.Calls(gintest.EndpointRefresh); n != wantRefreshes {
			t.Fatalf("clock at expiry%+v: %d refreshes, want %d", clock.Now().Sub(stored.Expiry), n, wantRefreshes)
		}
	}
	step(0, 0)
	step(lifetime-leeway-time.Second, 0) // a second before the leeway
	step(time.Second, 1)                 // at the leeway
	if want := clock.Now().Add(lifetime); stored.Expiry.Sub(want).Abs() > time.Second {
		t.Errorf("refreshed token expires at %v, want the blueprint's clock plus expires_in: %v", stored.Expiry, want)
	}
	step(lifetime-leeway-time.Second, 1)
}
