package bench

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// liveToken is a token that does not need a refresh.
func liveToken() *blueprint.Token {
	return &blueprint.Token{
		AccessToken: "gta_" + randomState(), TokenType: "Bearer", RefreshToken: "gtr_" + randomState(),
		Expiry: time.Now().Add(time.Hour), Scopes: []string{"profile"},
	}
}

// requestCase is one way of serving GET /api: an engine, and the request a
// user's browser sends to it.
type requestCase struct {
	engine *gin.Engine
	req    *http.Request
	api    *stubAPI
}

// apiHandler is the handler under test: one API call through the client.
func apiHandler(bp *blueprint.Blueprint) gin.HandlerFunc {
	return func(c *gin.Context) {
		resp, err := bp.Client(c).Get("me")
		if err != nil {
			c.Status(http.StatusInternalServerError)
			return
		}
		resp.Body.Close()
		c.Status(http.StatusNoContent)
	}
}

// appKeys is a middleware of the app's own that keeps a value in gin's
// Keys, as most apps have one (gin-contrib/sessions, an auth or request-id
// middleware): the "-keys" cases run it before the handler, so that gin's
// Keys map exists before the blueprint needs it, in the floor as well.
func appKeys(c *gin.Context) {
	c.Set("app.request-id", "r1")
	c.Next()
}

// floorCase is the same handler with a prebuilt client whose transport adds
// a static Bearer header: no token lookup, no URL resolution, no host guard.
// It sets the header on the request in place (cheaper than the clone a
// well-behaved RoundTripper makes), so it is a true floor. mw run first.
func floorCase(mw ...gin.HandlerFunc) *requestCase {
	api := &stubAPI{}
	client := &http.Client{Transport: staticBearer{"Bearer gta_static", api}}
	r := gin.New()
	r.Use(mw...)
	r.GET("/api", func(c *gin.Context) {
		req, err := http.NewRequestWithContext(c.Request.Context(), http.MethodGet, apiBase+"me", nil)
		if err != nil {
			c.Status(http.StatusInternalServerError)
			return
		}
		resp, err := client.Do(req)
		if err != nil {
			c.Status(http.StatusInternalServerError)
			return
		}
		resp.Body.Close()
		c.Status(http.StatusNoContent)
	})
	return &requestCase{engine: r, req: httptest.NewRequest(http.MethodGet, "/api", nil), api: api}
}

type staticBearer struct {
	header string
	next   http.RoundTripper
}

func (t staticBearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r.Header.Set("Authorization", t.header)
	return t.next.RoundTrip(r)
}

// newAPIBlueprint is a blueprint whose API calls go to the stub.
func newAPIBlueprint(api *stubAPI) *blueprint.Blueprint {
	return blueprint.NewOAuth2("idp", blueprint.OAuth2Config{
		ClientID: "client", ClientSecret: "test-client-secret",
		AuthURL: idpBase + "/authorize", TokenURL: idpBase + "/token",
		APIBaseURL: apiBase, RedirectURL: appBase + "/login/idp/authorized",
		Options: blueprint.Options{HTTPClient: &http.Client{Transport: api}},
	})
}

// storageCase serves the handler with the token in storage s (seeded with a
// live token), without a session middleware: server-side storage needs none.
// mw run before the handler.
func storageCase(s blueprint.Storage, seed func(bp *blueprint.Blueprint, tok *blueprint.Token) error, mw ...gin.HandlerFunc) (*requestCase, error) {
	return storageCaseWith(apiHandler, s, seed, mw...)
}

// storageCaseWith is storageCase with the handler handler makes.
func storageCaseWith(handler func(*blueprint.Blueprint) gin.HandlerFunc, s blueprint.Storage, seed func(bp *blueprint.Blueprint, tok *blueprint.Token) error, mw ...gin.HandlerFunc) (*requestCase, error) {
	api := &stubAPI{}
	bp := newAPIBlueprint(api)
	bp.SetStorage(s)
	if err := seed(bp, liveToken()); err != nil {
		return nil, err
	}
	r := gin.New()
	r.Use(mw...)
	r.GET("/api", handler(bp))
	return &requestCase{engine: r, req: httptest.NewRequest(http.MethodGet, "/api", nil), api: api}, nil
}

// memoryCase keeps the token in gintest.MemoryStorage; mw run first.
func memoryCase(mw ...gin.HandlerFunc) *requestCase {
	rc, _ := storageCase(gintest.NewMemoryStorage(nil), func(bp *blueprint.Blueprint, tok *blueprint.Token) error {
		gintest.SeedToken(bp, tok)
		return nil
	}, mw...)
	return rc
}

// cookieCase keeps the token in the default session storage with a cookie
// store: the request carries the encrypted cookie, decoded on each request.
func cookieCase(store sessions.Store) *requestCase {
	api := &stubAPI{}
	bp := newAPIBlueprint(api)
	r := gin.New()
	r.Use(sessions.Sessions(sessionName, store))
	r.GET("/api", apiHandler(bp))
	r.GET("/seed", func(c *gin.Context) {
		if err := (blueprint.SessionStorage{}).Set(c, bp.Name(), liveToken()); err != nil {
			c.Status(http.StatusInternalServerError)
			return
		}
		c.Status(http.StatusNoContent)
	})
	w := serve(r, "/seed", nil)
	req := httptest.NewRequest(http.MethodGet, "/api", nil)
	for _, c := range requestCookies(nil, w.Header()) {
		req.AddCookie(c)
	}
	return &requestCase{engine: r, req: req, api: api}
}

// requestCases are the sub-benchmarks of BenchmarkRequest; a backend that
// needs a service returns nil and why when it is not reachable.
func requestCases() []struct {
	name string
	make func(tb testing.TB) (*requestCase, string)
} {
	return []struct {
		name string
		make func(tb testing.TB) (*requestCase, string)
	}{
		{"floor", func(testing.TB) (*requestCase, string) { return floorCase(), "" }},
		{"cookie", func(testing.TB) (*requestCase, string) { return cookieCase(newCookieStore()), "" }},
		{"cookie-compact", func(testing.TB) (*requestCase, string) { return cookieCase(newCompactCookieStore()), "" }},
		{"memory", func(testing.TB) (*requestCase, string) { return memoryCase(), "" }},
		{"floor-keys", func(testing.TB) (*requestCase, string) { return floorCase(appKeys), "" }},
		{"memory-keys", func(testing.TB) (*requestCase, string) { return memoryCase(appKeys), "" }},
		{"memory-store", memoryStoreCase},
		{"memory-do", memoryDoCase},
		{"memory-httpclient", memoryHTTPClientCase},
		{"memory-store-httpclient", memoryStoreHTTPClientCase},
		{"memory-store-clientfor", memoryStoreClientForCase},
		{"sqlite", sqliteCase},
		{"redis", redisCase},
	}
}

// run serves one request as a fresh copy of the browser's request (the
// session middleware hangs state off the request, so it must not be reused).
func (rc *requestCase) run(w *discard) {
	req := new(http.Request)
	*req = *rc.req
	w.reset()
	rc.engine.ServeHTTP(w, req)
}

// BenchmarkRequest is an authenticated request: a Gin handler calling
// b.Client(c).Get("me") against a stub transport, per token storage, and the
// floor.
func BenchmarkRequest(b *testing.B) {
	for _, tc := range requestCases() {
		b.Run(tc.name, func(b *testing.B) {
			rc, why := tc.make(b)
			if rc == nil {
				b.Skip(why)
			}
			w := newDiscard()
			rc.run(w)
			if w.code != http.StatusNoContent || rc.api.signed.Load() != 1 {
				b.Fatalf("request: status %d, signed calls %d", w.code, rc.api.signed.Load())
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rc.run(w)
			}
		})
	}
}

// Every case sends exactly one signed API call per request.
func TestRequestCasesSign(t *testing.T) {
	for _, tc := range requestCases() {
		rc, why := tc.make(t)
		if rc == nil {
			t.Logf("%s: skipped: %s", tc.name, why)
			continue
		}
		w := newDiscard()
		for range 3 {
			rc.run(w)
			if w.code != http.StatusNoContent {
				t.Fatalf("%s: status %d", tc.name, w.code)
			}
		}
		if n := rc.api.signed.Load(); n != 3 {
			t.Fatalf("%s: %d signed calls, want 3", tc.name, n)
		}
	}
}
