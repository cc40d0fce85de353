package blueprint_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

// apiServer records what reaches it.
type apiServer struct {
	*httptest.Server
	hits  atomic.Int32
	auths chan string
}

func newAPIServer(t *testing.T, h http.HandlerFunc) *apiServer {
	a := &apiServer{auths: make(chan string, 100)}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.hits.Add(1)
		a.auths <- r.Header.Get("Authorization") + " " + r.URL.RawQuery
		h(w, r)
	}))
	t.Cleanup(a.Close)
	return a
}

// withToken makes b see tok as the stored token.
func withToken(b *blueprint.Blueprint, tok *blueprint.Token) {
	b.TokenGetter(func(*gin.Context) (*blueprint.Token, error) { return tok, nil })
}

// call runs fn as a handler of a fresh engine and returns its error.
func call(t *testing.T, b *blueprint.Blueprint, fn func(c *gin.Context) error) error {
	t.Helper()
	r := newEngine()
	b.Mount(r.Group("/login"))
	var err error
	r.GET("/x", func(c *gin.Context) { err = fn(c) })
	serve(r, "GET", "/x", nil)
	return err
}

func TestClientSendsBearerHeaderNeverQuery(t *testing.T) {
	api := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"login":"octo"}`)) })
	b := blueprint.NewOAuth2("p", staticConfig(api.URL+"/v1/"))
	withToken(b, &blueprint.Token{AccessToken: "at-123", TokenType: "bearer"})
	var got struct{ Login string }
	err := call(t, b, func(c *gin.Context) error { return b.Client(c).GetJSON("user?x=1", &got) })
	if err != nil || got.Login != "octo" {
		t.Fatalf("GetJSON = %v, %+v", err, got)
	}
	if a := <-api.auths; a != "Bearer at-123 x=1" {
		t.Fatalf("API saw %q; want the token in the header only", a)
	}
}

func TestClientRefusesForeignHostBeforeSending(t *testing.T) {
	api := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {})
	other := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {})
	b := blueprint.NewOAuth2("p", staticConfig(api.URL+"/"))
	withToken(b, &blueprint.Token{AccessToken: "at-123"})
	for _, target := range []string{other.URL + "/steal", "//" + strings.TrimPrefix(other.URL, "http://") + "/x",
		strings.Replace(api.URL, "http://", "https://", 1) + "/downgrade-or-upgrade"} {
		err := call(t, b, func(c *gin.Context) error { _, err := b.Client(c).Get(target); return err })
		if !errors.Is(err, blueprint.ErrForeignHost) {
			t.Errorf("Get(%q) = %v; want ErrForeignHost", target, err)
		}
	}
	if other.hits.Load() != 0 || api.hits.Load() != 0 {
		t.Fatalf("requests were sent: other=%d api=%d", other.hits.Load(), api.hits.Load())
	}
}

func TestClientRefusesRedirectToForeignHost(t *testing.T) {
	other := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {})
	api := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/collect", http.StatusFound)
	})
	b := blueprint.NewOAuth2("p", staticConfig(api.URL+"/"))
	withToken(b, &blueprint.Token{AccessToken: "at-123"})
	err := call(t, b, func(c *gin.Context) error { _, err := b.Client(c).Get("/go"); return err })
	if !errors.Is(err, blueprint.ErrForeignHost) {
		t.Fatalf("err = %v; want ErrForeignHost", err)
	}
	if other.hits.Load() != 0 {
		t.Fatal("the redirect target was contacted")
	}
}

func TestClientFollowsSameOriginRedirectWithToken(t *testing.T) {
	var api *apiServer
	api = newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, api.URL+"/new", http.StatusFound)
			return
		}
		w.Write([]byte(`{}`))
	})
	b := blueprint.NewOAuth2("p", staticConfig(api.URL+"/"))
	withToken(b, &blueprint.Token{AccessToken: "at-9"})
	if err := call(t, b, func(c *gin.Context) error { var v any; return b.Client(c).GetJSON("/old", &v) }); err != nil {
		t.Fatal(err)
	}
	<-api.auths
	if a := <-api.auths; a != "Bearer at-9 " {
		t.Fatalf("redirected request carried %q", a)
	}
}

func TestClientAllowedHostsExtendTheGuard(t *testing.T) {
	api := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {})
	uploads := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {})
	cfg := staticConfig(api.URL + "/")
	cfg.AllowedHosts = []string{uploads.URL}
	b := blueprint.NewOAuth2("p", cfg)
	withToken(b, &blueprint.Token{AccessToken: "at"})
	err := call(t, b, func(c *gin.Context) error {
		resp, err := b.Client(c).Post(uploads.URL+"/up", "text/plain", strings.NewReader("x"))
		if err == nil {
			resp.Body.Close()
		}
		return err
	})
	if err != nil || uploads.hits.Load() != 1 {
		t.Fatalf("err=%v hits=%d", err, uploads.hits.Load())
	}
}

func TestGetJSONReturnsAPIErrorWithBoundedBody(t *testing.T) {
	api := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(strings.Repeat("x", 5000)))
	})
	b := blueprint.NewOAuth2("p", staticConfig(api.URL+"/"))
	withToken(b, &blueprint.Token{AccessToken: "at"})
	err := call(t, b, func(c *gin.Context) error { var v any; return b.Client(c).GetJSON("/user?secret=1", &v) })
	var ae *blueprint.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v; want *APIError", err)
	}
	if ae.StatusCode != 403 || len(ae.Body) > 520 || strings.Contains(ae.URL, "secret") {
		t.Fatalf("APIError = status %d, body %d bytes, url %q", ae.StatusCode, len(ae.Body), ae.URL)
	}
}

func TestClientWithoutTokenSendsNothing(t *testing.T) {
	api := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {})
	b := blueprint.NewOAuth2("p", staticConfig(api.URL+"/"))
	err := call(t, b, func(c *gin.Context) error { _, err := b.Client(c).Get("/user"); return err })
	if !errors.Is(err, blueprint.ErrNotAuthorized) || api.hits.Load() != 0 {
		t.Fatalf("err=%v hits=%d; want ErrNotAuthorized and no request", err, api.hits.Load())
	}
}

func TestClientIsMemoisedPerRequest(t *testing.T) {
	b := blueprint.NewOAuth2("p", staticConfig("https://api.example/"))
	call(t, b, func(c *gin.Context) error {
		if b.Client(c) != b.Client(c) {
			t.Error("two clients in one request")
		}
		return nil
	})
}

func TestExpiredTokenWithoutRefreshTokenIsNotAuthorized(t *testing.T) {
	api := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {})
	b := blueprint.NewOAuth2("p", staticConfig(api.URL+"/"))
	withToken(b, &blueprint.Token{AccessToken: "at", Expiry: time.Now().Add(-time.Minute)})
	err := call(t, b, func(c *gin.Context) error { _, err := b.Client(c).Get("/user"); return err })
	if !errors.Is(err, blueprint.ErrNotAuthorized) || api.hits.Load() != 0 {
		t.Fatalf("err=%v hits=%d", err, api.hits.Load())
	}
}

// Resolved paths are remembered per blueprint: the same paths keep resolving
// to the same URLs on later requests, beyond the memo's bound too, and a
// refused foreign URL stays refused.
func TestClientRepeatedPathsResolveTheSame(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) }))
	t.Cleanup(api.Close)
	b := blueprint.NewOAuth2("p", staticConfig(api.URL+"/v1/"))
	withToken(b, &blueprint.Token{AccessToken: "at"})
	r := newEngine()
	b.Mount(r.Group("/login"))
	var errs []error
	r.GET("/x", func(c *gin.Context) {
		for i := range 600 {
			resp, err := b.Client(c).Get("items/" + strconv.Itoa(i%550) + "?q=1")
			if err == nil {
				if resp.Request.URL.Path != "/v1/items/"+strconv.Itoa(i%550) || resp.Request.URL.RawQuery != "q=1" {
					err = errors.New("resolved to " + resp.Request.URL.String())
				}
				resp.Body.Close()
			}
			errs = append(errs, err)
		}
		for range 2 {
			_, err := b.Client(c).Get("https://elsewhere.example/steal")
			errs = append(errs, err)
		}
	})
	for range 2 {
		errs = errs[:0]
		serve(r, "GET", "/x", nil)
		for i, err := range errs {
			if i < 600 && err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
			if i >= 600 && !errors.Is(err, blueprint.ErrForeignHost) {
				t.Fatalf("foreign call: %v", err)
			}
		}
	}
}

// A redirect to another allowed origin on the same host is signed, as
// net/http copies Authorization to the same host or its subdomains.
func TestClientRedirectToAllowedOriginOnSameHostIsSigned(t *testing.T) {
	uploads := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {})
	api := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, uploads.URL+"/blob", http.StatusFound)
	})
	cfg := staticConfig(api.URL + "/")
	cfg.AllowedHosts = []string{uploads.URL}
	b := blueprint.NewOAuth2("p", cfg)
	withToken(b, &blueprint.Token{AccessToken: "at-7"})
	err := call(t, b, func(c *gin.Context) error {
		resp, err := b.Client(c).Get("/go")
		if err == nil {
			resp.Body.Close()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if a := <-api.auths; a != "Bearer at-7 " {
		t.Fatalf("first request carried %q", a)
	}
	if a := <-uploads.auths; a != "Bearer at-7 " {
		t.Fatalf("redirected request carried %q", a)
	}
}

// uncomparableCtx is a context of a type == cannot compare.
type uncomparableCtx struct {
	context.Context
	tags []string
}

// roundTripFunc is an http.RoundTripper of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The request's signing context is reused only for the same context and
// token: a handler that swaps the request's context (or uses one that
// cannot be compared) still signs with the right token, and the new
// context is the one the call runs in: its values reach the transport and
// its cancellation stops the call before anything is sent.
func TestClientSigningContextFollowsRequestAndToken(t *testing.T) {
	api := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {})
	type ctxKey struct{}
	var seen []any // ctxKey's value in each call's context, at the transport
	cfg := staticConfig(api.URL + "/v1/")
	cfg.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.Context().Value(ctxKey{}))
		return http.DefaultTransport.RoundTrip(r)
	})}
	b := blueprint.NewOAuth2("p", cfg)
	withToken(b, &blueprint.Token{AccessToken: "first"})
	var cancelled error
	err := call(t, b, func(c *gin.Context) error {
		cl := b.Client(c)
		get := func() error {
			resp, err := cl.Get("x")
			if err == nil {
				resp.Body.Close()
			}
			return err
		}
		for range 2 {
			if err := get(); err != nil {
				return err
			}
		}
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), ctxKey{}, 1))
		if err := get(); err != nil {
			return err
		}
		c.Request = c.Request.WithContext(uncomparableCtx{context.WithValue(c.Request.Context(), ctxKey{}, 2), nil})
		if err := get(); err != nil {
			return err
		}
		ctx, cancel := context.WithCancel(c.Request.Context())
		cancel()
		c.Request = c.Request.WithContext(ctx)
		cancelled = get()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(cancelled, context.Canceled) {
		t.Errorf("a call in a cancelled context: %v, want context.Canceled", cancelled)
	}
	if api.hits.Load() != 4 {
		t.Errorf("%d calls reached the API, want 4 (none in the cancelled context)", api.hits.Load())
	}
	if len(seen) < 4 || seen[0] != nil || seen[1] != nil || seen[2] != 1 || seen[3] != 2 {
		t.Errorf("context values at the transport: %v, want [<nil> <nil> 1 2 ...]", seen)
	}
	for range 4 {
		mustContain(t, <-api.auths, "Bearer first ")
	}
}
