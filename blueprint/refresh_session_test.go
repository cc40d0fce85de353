package blueprint_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
)

// The shared refresh outlives a cancelled leader request (x/oauth2 #388),
// and with a shared store it finds the user's slot through the request
// (here an app User function reading the session, as storage.Store's
// anonymous browser id does too). The leader's handler, its Token call
// cancelled, goes on writing its session while the refresh is still
// running: the refresh must not read that session concurrently. Run under
// -race (as CI does), where a concurrent read of the session's map is a
// reported data race; the refreshed token must be stored for the user.
func TestSharedRefreshDoesNotRaceCancelledLeadersSession(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u-1", Login: "alice"}})
	t.Cleanup(p.Close)
	p.Fail(gintest.Failure{TokenDelay: 300 * time.Millisecond})
	access, refresh := p.IssueToken("u-1", -time.Minute)
	store := memory.New(storage.Config{User: func(c *gin.Context) (string, error) {
		uid, _ := sessions.Default(c).Get("uid").(string)
		return uid, nil
	}})
	if err := store.SetFor(context.Background(), "idp", "u-1", &blueprint.Token{AccessToken: access, RefreshToken: refresh,
		TokenType: "Bearer", Expiry: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	b := p.NewBlueprint("idp")
	b.SetStorage(store)
	refreshed := func() bool {
		tok, err := store.GetFor(context.Background(), "idp", "u-1")
		return err == nil && tok != nil && tok.AccessToken != access
	}
	tokenErr := make(chan error, 1)
	r := newEngine()
	r.GET("/", func(c *gin.Context) {
		s := sessions.Default(c)
		s.Set("uid", "u-1")
		_, err := b.Token(c)
		tokenErr <- err
		// The handler goes on with its session, as apps do after an error.
		for i := 0; i < 2000 && !refreshed(); i++ {
			s.Set("visits", i)
			time.Sleep(time.Millisecond)
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel) // the browser goes away mid-refresh
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx))
	if err := <-tokenErr; err == nil {
		t.Fatal("the leader's Token returned a token although its request was cancelled during the refresh")
	}
	deadline := time.Now().Add(5 * time.Second)
	for !refreshed() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !refreshed() || p.Calls(gintest.EndpointRefresh) != 1 {
		t.Fatalf("refreshed and stored: %v, %d refreshes; want the one refresh stored for the user", refreshed(), p.Calls(gintest.EndpointRefresh))
	}
}
