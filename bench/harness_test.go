package bench

import (
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"
	gsessions "github.com/gorilla/sessions"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/storage/cookiestore"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// Test keys only: the same hash (HMAC) and block (AES-256) keys for every
// library's cookie store.
var (
	hashKey  = []byte("0123456789abcdef0123456789abcdef")
	blockKey = []byte("fedcba9876543210fedcba9876543210")
	// loginKey is gindance's LoginCookieKey where a case sets one.
	loginKey = []byte("0123456789abcdefghijklmnopqrstuv")
)

const (
	idpBase     = "http://idp.test"      // the fake provider, served in process
	apiBase     = "https://api.test/v1/" // the stub API
	appBase     = "http://127.0.0.1"     // the app (a loopback redirect URI, which gintest accepts)
	sessionName = "gindance"
)

// newCookieStore is the cookie store every library gets: gorilla's
// CookieStore (which gin-contrib/sessions' cookie store wraps) with both a
// hash key and a block key.
func newCookieStore() cookie.Store {
	s := cookie.NewStore(hashKey, blockKey)
	s.Options(cookieOptions)
	return s
}

// cookieOptions are the options of every cookie store here.
var cookieOptions = sessions.Options{Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode}

// newCompactCookieStore is gindance's storage/cookiestore on the same keys
// and options: gorilla's CookieStore without gob for plain session values.
func newCompactCookieStore() sessions.Store {
	s := cookiestore.NewStore(hashKey, blockKey)
	s.Options(cookieOptions)
	return s
}

// sessionsMiddleware is gin-contrib/sessions with the cookie store.
func sessionsMiddleware() gin.HandlerFunc { return sessions.Sessions(sessionName, newCookieStore()) }

// gorillaStore is the same setup for libraries that talk to gorilla directly.
func gorillaStore() *gsessions.CookieStore {
	s := gsessions.NewCookieStore(hashKey, blockKey)
	s.Options = &gsessions.Options{Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode}
	return s
}

// inProcess serves requests with a handler instead of the network.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	if r.Body == nil {
		r.Body = http.NoBody
	}
	t.h.ServeHTTP(w, r)
	resp := w.Result()
	resp.Request = r
	return resp, nil
}

// provider is gintest's fake provider, auto-approving alice, reachable at
// idpBase through client. /profile is a static user document for libraries
// (goth) that fetch the user with ?access_token=.
type provider struct {
	*gintest.Provider
	client *http.Client
}

func newProvider(opts gintest.Options) *provider { return newSlowProvider(opts, 0) }

// newSlowProvider is a provider whose token endpoint takes latency to
// answer, as a real one across a network does.
func newSlowProvider(opts gintest.Options, latency time.Duration) *provider {
	if opts.User == nil {
		opts.User = &gintest.User{ID: "u1", Login: "alice", Name: "Alice", Email: "alice@example.test", EmailVerified: true}
	}
	p := gintest.NewProvider(opts)
	p.SetBaseURL(idpBase)
	mux := http.NewServeMux()
	mux.Handle("/", p)
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		p.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /profile", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":1,"username":"alice","name":"Alice","email":"alice@example.test"}`)
	})
	return &provider{Provider: p, client: &http.Client{Transport: inProcess{mux}}}
}

// authorize follows a login redirect to the provider and returns the
// callback URL it redirects back to (carrying code and state).
func (p *provider) authorize(tb testing.TB, location string) string {
	req := httptest.NewRequest(http.MethodGet, location, nil)
	w := httptest.NewRecorder()
	p.ServeHTTP(w, req)
	if w.Code != http.StatusFound {
		tb.Fatalf("authorize: %d %s", w.Code, w.Body.String())
	}
	return w.Header().Get("Location")
}

// stubAPI answers every API call with 200 and no body, counting calls that
// carry a Bearer token.
type stubAPI struct{ signed atomic.Int64 }

func (s *stubAPI) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		s.signed.Add(1)
	}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Body: http.NoBody, ContentLength: 0, Request: r}, nil
}

// discard is a minimal http.ResponseWriter, reused between iterations.
type discard struct {
	h    http.Header
	code int
}

func newDiscard() *discard                     { return &discard{h: make(http.Header)} }
func (w *discard) Header() http.Header         { return w.h }
func (w *discard) Write(p []byte) (int, error) { return len(p), nil }
func (w *discard) WriteHeader(code int)        { w.code = code }
func (w *discard) reset()                      { clear(w.h); w.code = 0 }

// randomState is what an app gives libraries that leave state generation to
// it (zitadel rp): 32 random bytes, as gindance uses.
func randomState() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// serve runs one request through h and returns the recorder.
func serve(h http.Handler, target string, cookies []*http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// requestCookies turns Set-Cookie lines into the cookies a browser would
// send back (later lines for a name win; expired ones are dropped).
func requestCookies(jar []*http.Cookie, h http.Header) []*http.Cookie {
	resp := http.Response{Header: h}
	for _, nc := range resp.Cookies() {
		kept := jar[:0]
		for _, c := range jar {
			if c.Name != nc.Name {
				kept = append(kept, c)
			}
		}
		jar = kept
		if nc.MaxAge >= 0 && (nc.Expires.IsZero() || nc.Expires.After(time.Now())) {
			jar = append(jar, &http.Cookie{Name: nc.Name, Value: nc.Value})
		}
	}
	return jar
}

// cookieBytes is the size of the Cookie header a browser sends for jar.
func cookieBytes(jar []*http.Cookie) int {
	n := 0
	for i, c := range jar {
		if i > 0 {
			n += 2
		}
		n += len(c.Name) + 1 + len(c.Value)
	}
	return n
}

// withQuery appends k=v to a URL.
func withQuery(u, k, v string) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + url.QueryEscape(k) + "=" + url.QueryEscape(v)
}

// oauth2Config is a gindance config for the in-process provider.
func (p *provider) oauth2Config(name string) blueprint.OAuth2Config {
	return blueprint.OAuth2Config{
		ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		AuthURL: idpBase + "/authorize", TokenURL: idpBase + "/token",
		APIBaseURL:  idpBase + "/api/",
		RedirectURL: appBase + "/login/" + name + "/authorized",
		Scopes:      []string{"profile"},
		Options:     blueprint.Options{HTTPClient: p.client},
	}
}
