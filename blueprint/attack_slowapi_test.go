package blueprint_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

// An API that answers at once and then trickles its body, one byte every
// 100 ms for 3 s, would hold a handler's Client call (and a preset's
// Identity inside the callback) for as long as it likes: API calls ran on
// a client without a timeout, in the request's context. Each call is now
// bounded by APITimeout, which defaults to ProviderTimeout, or by the app's
// own HTTPClient's Timeout. The API sees the client hang up before it
// finishes, and the call fails with a timeout.
func TestAttackTricklingAPIBoundedByAPITimeout(t *testing.T) {
	const bound = 300 * time.Millisecond
	cases := map[string]func(*blueprint.OAuth2Config){
		"default client, ProviderTimeout":        func(c *blueprint.OAuth2Config) { c.ProviderTimeout = bound },
		"default client, APITimeout":             func(c *blueprint.OAuth2Config) { c.APITimeout = bound },
		"app client without Timeout, APITimeout": func(c *blueprint.OAuth2Config) { c.HTTPClient, c.APITimeout = &http.Client{}, bound },
		"app client with its own Timeout":        func(c *blueprint.OAuth2Config) { c.HTTPClient = &http.Client{Timeout: bound} },
	}
	calls := map[string]func(cl *blueprint.Client) error{
		"GetJSON": func(cl *blueprint.Client) error { var v any; return cl.GetJSON("me", &v) },
		"Get": func(cl *blueprint.Client) error {
			resp, err := cl.Get("me")
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			_, err = io.ReadAll(resp.Body)
			return err
		},
	}
	for name, tweak := range cases {
		for callName, do := range calls {
			var finished atomic.Bool
			api := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"name":"`))
				for range 30 {
					w.(http.Flusher).Flush()
					select {
					case <-r.Context().Done():
						return
					case <-time.After(100 * time.Millisecond):
					}
					w.Write([]byte("x"))
				}
				w.Write([]byte(`"}`))
				finished.Store(true)
			})
			cfg := staticConfig(api.URL + "/")
			tweak(&cfg)
			b := blueprint.NewOAuth2("p", cfg)
			withToken(b, &blueprint.Token{AccessToken: "at-123"})
			err := call(t, b, func(c *gin.Context) error { return do(b.Client(c)) })
			var ne net.Error
			if !errors.Is(err, context.DeadlineExceeded) && !(errors.As(err, &ne) && ne.Timeout()) {
				t.Errorf("%s, %s: %v; want a timeout", name, callName, err)
			}
			if finished.Load() {
				t.Errorf("%s, %s: the API trickled its whole answer (3 s) into the call", name, callName)
			}
		}
	}
}
