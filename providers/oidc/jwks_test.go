package oidc_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/oidc"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
)

// hangingJWKS is an app HTTPClient transport (with no timeout of its own)
// under which the provider's jwks_uri accepts the request and never
// answers while hang is set; it answers only when the request's context
// ends.
type hangingJWKS struct {
	base    http.RoundTripper
	hang    atomic.Bool
	fetches atomic.Int32
}

func (h *hangingJWKS) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == "/jwks" {
		h.fetches.Add(1)
		if h.hang.Load() {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}
	}
	return h.base.RoundTrip(r)
}

// A hung jwks_uri, with an app HTTPClient without a timeout and requests
// whose contexts have no deadline (the back-channel logout handler, as
// Claims), holds no verification beyond ProviderTimeout: concurrent
// back-channel logouts all get their 400 (Back-Channel Logout 1.0 §2.8)
// soon after the timeout, sharing the fetch rather than queueing behind
// it one timeout each, and once the endpoint answers again the next logout
// fetches the keys and succeeds.
func TestJWKSFetchBoundedWhenEndpointHangs(t *testing.T) {
	const timeout = 300 * time.Millisecond
	p := gintest.StartOIDCProvider(gintest.OIDCOptions{})
	t.Cleanup(p.Close)
	tr := &hangingJWKS{base: http.DefaultTransport}
	tr.hang.Store(true)
	b := oidc.New("idp", oidc.Config{Issuer: p.Issuer(), ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		Options: blueprint.Options{HTTPClient: &http.Client{Transport: tr}, ProviderTimeout: timeout, LoginCookieKey: p.LoginCookieKey()}})
	b.SetStorage(memory.New(storage.Config{Anonymous: true}))
	r := gin.New()
	r.POST("/backchannel-logout", b.BackChannelLogoutHandler())
	app := httptest.NewServer(r)
	t.Cleanup(app.Close)

	// The OP's client gives up after 10 s: without the bound, the handler
	// would hold each request until then.
	op := &http.Client{Timeout: 10 * time.Second}
	const logouts = 8
	var wg sync.WaitGroup
	errs := make(chan string, logouts)
	start := time.Now()
	for i := 0; i < logouts; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := op.PostForm(app.URL+"/backchannel-logout", url.Values{"logout_token": {p.LogoutToken("sid-1", nil)}})
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				errs <- resp.Status
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for e := range errs {
		t.Errorf("back-channel logout while the JWKS hangs: %s, want 400", e)
	}
	// Each waits for one bounded fetch (a few at most, if some arrive
	// after one ended), not for its own turn behind the others'.
	if elapsed > 10*timeout {
		t.Errorf("%d concurrent logouts took %v with ProviderTimeout %v", logouts, elapsed, timeout)
	}
	t.Logf("%d logouts answered in %v, %d JWKS fetches", logouts, elapsed, tr.fetches.Load())

	tr.hang.Store(false)
	resp, err := op.PostForm(app.URL+"/backchannel-logout", url.Values{"logout_token": {p.LogoutToken("sid-1", nil)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("logout once the JWKS answers: %s, want 200", resp.Status)
	}
}
