package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// stormSize is how many requests race with one expired token;
// tokenLatency is how long the provider's token endpoint takes.
const (
	stormSize    = 1000
	tokenLatency = 20 * time.Millisecond
)

// storm is an app whose API handler runs with an expired token, and a way
// to plant a fresh expired token (one the provider can refresh) before each
// storm.
type storm struct {
	p      *provider
	engine *gin.Engine
	plant  func(access, refresh string)
}

// expired issues a token at the provider that has already expired.
func (s *storm) expired() {
	access, refresh := s.p.IssueToken("u1", -time.Minute)
	s.plant(access, refresh)
}

// gindanceStorm: the handler calls b.Client(c).Get against the provider's
// API, the token in memory storage (shared by all requests, as a server-side
// store is).
func gindanceStorm(p *provider) *storm {
	bp := blueprint.NewOAuth2("fake", p.oauth2Config("fake"))
	mem := gintest.NewMemoryStorage(nil)
	bp.SetStorage(mem)
	r := gin.New()
	r.GET("/api", apiHandler(bp))
	return &storm{p: p, engine: r, plant: func(access, refresh string) {
		mem.Set(nil, "fake", &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
			Expiry: time.Now().Add(-time.Minute)})
	}}
}

// oauth2Storm is the common x/oauth2 pattern: per request, the stored token
// goes into cfg.TokenSource and oauth2.NewClient; the (possibly refreshed)
// token is written back after the call.
func oauth2Storm(p *provider) *storm {
	cfg := &oauth2.Config{ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		Endpoint: oauth2.Endpoint{AuthURL: idpBase + "/authorize", TokenURL: idpBase + "/token", AuthStyle: oauth2.AuthStyleInHeader}}
	var mu sync.Mutex
	var stored *oauth2.Token
	r := gin.New()
	r.GET("/api", func(c *gin.Context) {
		mu.Lock()
		tok := *stored
		mu.Unlock()
		ctx := context.WithValue(c.Request.Context(), oauth2.HTTPClient, p.client)
		src := cfg.TokenSource(ctx, &tok)
		resp, err := oauth2.NewClient(ctx, src).Get(idpBase + "/api/me")
		if err != nil {
			c.Status(http.StatusInternalServerError)
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			c.Status(http.StatusBadGateway)
			return
		}
		if nt, err := src.Token(); err == nil && nt.AccessToken != tok.AccessToken {
			mu.Lock()
			stored = nt
			mu.Unlock()
		}
		c.Status(http.StatusNoContent)
	})
	return &storm{p: p, engine: r, plant: func(access, refresh string) {
		mu.Lock()
		stored = &oauth2.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", Expiry: time.Now().Add(-time.Minute)}
		mu.Unlock()
	}}
}

var storms = []struct {
	name string
	make func(p *provider) *storm
}{
	{"gindance", gindanceStorm},
	{"oauth2-per-request", oauth2Storm},
}

// run sends stormSize concurrent requests, released together, and returns
// how many succeeded.
func (s *storm) run() int {
	var wg sync.WaitGroup
	var ok atomic.Int64
	start := make(chan struct{})
	for range stormSize {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest(http.MethodGet, "/api", nil)
			w := newDiscard()
			<-start
			s.engine.ServeHTTP(w, req)
			if w.code == http.StatusNoContent {
				ok.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	return int(ok.Load())
}

// BenchmarkRefreshStorm is 1,000 requests racing with one expired token; one
// op is one storm, refreshes/op the refresh calls the provider received.
func BenchmarkRefreshStorm(b *testing.B) {
	for _, st := range storms {
		b.Run(st.name, func(b *testing.B) {
			s := st.make(newSlowProvider(gintest.Options{}, tokenLatency))
			b.ReportAllocs()
			b.ResetTimer()
			refreshes := 0
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s.expired()
				s.p.ResetCalls()
				b.StartTimer()
				if n := s.run(); n != stormSize {
					b.Fatalf("%d of %d requests succeeded", n, stormSize)
				}
				b.StopTimer()
				refreshes += s.p.Calls(gintest.EndpointRefresh)
				b.StartTimer()
			}
			b.ReportMetric(float64(refreshes)/float64(b.N), "refreshes/op")
		})
	}
}

// gindance refreshes a token exactly once however many requests race; the
// x/oauth2-per-request pattern refreshes about once per request.
func TestRefreshStorm(t *testing.T) {
	for _, st := range storms {
		s := st.make(newSlowProvider(gintest.Options{}, tokenLatency))
		for round := range 3 {
			s.expired()
			s.p.ResetCalls()
			if n := s.run(); n != stormSize {
				t.Fatalf("%s: %d of %d requests succeeded", st.name, n, stormSize)
			}
			n := s.p.Calls(gintest.EndpointRefresh)
			t.Logf("%s round %d: %d refresh calls", st.name, round, n)
			if st.name == "gindance" && n != 1 {
				t.Fatalf("gindance: %d refresh calls, want exactly 1", n)
			}
		}
	}
}
