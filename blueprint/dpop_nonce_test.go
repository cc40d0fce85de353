package blueprint_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// RFC 9449 §9 with RFC 9110 §11.6.1: a resource server's nonce demand is
// a DPoP challenge with error use_dpop_nonce, which may come among other
// challenges in one WWW-Authenticate line (RFC 9449 §7.2 shows
// "Bearer, DPoP ..."; proxies merge lines into that form) or in lines of
// its own. Each form is retried once with the nonce; a challenge that only
// mentions use_dpop_nonce elsewhere (another scheme, a description) is a
// plain 401.
func TestDPoPNonceChallengeAmongOthers_RFC9449_9_RFC9110_11_6_1(t *testing.T) {
	const nonce = "rs-nonce-1"
	cases := []struct {
		name      string
		challenge []string // WWW-Authenticate lines of the nonce demand
		retried   bool
	}{
		{"Bearer then DPoP in one line", []string{`Bearer, DPoP error="use_dpop_nonce", algs="ES256"`}, true},
		{"Bearer with params then DPoP in one line", []string{`Bearer realm="api", error="invalid_token", DPoP algs="ES256", error="use_dpop_nonce"`}, true},
		{"Basic with a comma in its realm then DPoP", []string{`Basic realm="a, b", DPoP error="use_dpop_nonce"`}, true},
		{"two lines", []string{`Bearer realm="api"`, `DPoP error="use_dpop_nonce", algs="ES256"`}, true},
		{"DPoP alone", []string{`DPoP error="use_dpop_nonce"`}, true},
		{"use_dpop_nonce in a Bearer challenge", []string{`Bearer error="use_dpop_nonce"`}, false},
		{"use_dpop_nonce only in a description", []string{`DPoP error="invalid_token", error_description="not use_dpop_nonce"`}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				if proofNonce(r) != nonce {
					w.Header().Set("DPoP-Nonce", nonce)
					for _, l := range tc.challenge {
						w.Header().Add("WWW-Authenticate", l)
					}
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				w.Write([]byte(`{"login":"alice"}`))
			}))
			t.Cleanup(api.Close)
			p := gintest.StartProvider(gintest.Options{})
			t.Cleanup(p.Close)
			b := p.NewBlueprint("idp", func(c *blueprint.OAuth2Config) { c.DPoP, c.APIBaseURL = true, api.URL+"/" })
			gintest.SeedToken(b, &blueprint.Token{AccessToken: "at", TokenType: "DPoP", DPoPKey: testDPoPKey(t), Expiry: time.Now().Add(time.Hour)})
			var err error
			r := newEngine()
			r.GET("/", func(c *gin.Context) {
				var me struct{ Login string }
				err = b.Client(c).GetJSON("me", &me)
			})
			serve(r, "GET", "/", nil)
			var apiErr *blueprint.APIError
			switch {
			case tc.retried && (err != nil || calls.Load() != 2):
				t.Fatalf("%d calls, err %v; want the call and one retry with the nonce", calls.Load(), err)
			case !tc.retried && (!errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized || calls.Load() != 1):
				t.Fatalf("%d calls, err %v; want one call answered 401, no retry", calls.Load(), err)
			}
		})
	}
}

// proofNonce is the nonce claim of r's DPoP proof, "" when there is none;
// the signature is the business of other tests (proofOf).
func proofNonce(r *http.Request) string {
	tok, err := jwt.ParseSigned(r.Header.Get("DPoP"), []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return ""
	}
	var c struct {
		Nonce string `json:"nonce"`
	}
	if tok.UnsafeClaimsWithoutVerification(&c) != nil {
		return ""
	}
	return c.Nonce
}

// RFC 9449 §8 and §9: the authorization server's nonce is for token
// requests and a resource server's for API calls, even on one origin, each
// remembered until its server gives a new one. With the gintest token
// endpoint and API on one origin, each keeping nonces of its own, a
// request that refreshes and calls the API costs one token call and one
// API call once both nonces are known: neither server is sent the other's
// nonce and retried.
func TestDPoPNoncesPerServerOnOneOrigin_RFC9449_8_9(t *testing.T) {
	// 30 s tokens within the 60 s leeway: every request refreshes.
	a := startDPoPApp(t, gintest.Options{RequireDPoP: true, DPoPNonce: true, TokenLifetime: 30 * time.Second}, nil)
	tu, _ := url.Parse(a.rp.TokenURL())
	au, _ := url.Parse(a.rp.APIBaseURL())
	if tu.Scheme != au.Scheme || tu.Host != au.Host {
		t.Fatalf("token endpoint %s and API %s are not on one origin", a.rp.TokenURL(), a.rp.APIBaseURL())
	}
	br := gintest.NewBrowser()
	if page, _ := br.Get(a.url + "/login/idp"); page.Body != "authorized=true" {
		t.Fatalf("login: %q %v", page.Body, a.lastErr())
	}
	// The first API call learns the resource server's nonce.
	if page, _ := br.Get(a.url + "/me"); page.Body != "login=alice" {
		t.Fatalf("API: %q %v", page.Body, a.lastErr())
	}
	a.rp.ResetCalls()
	const requests = 3
	for i := 0; i < requests; i++ {
		if page, _ := br.Get(a.url + "/me"); page.Body != "login=alice" {
			t.Fatalf("request %d: %q %v", i, page.Body, a.lastErr())
		}
	}
	refreshes, token, api := a.rp.Calls(gintest.EndpointRefresh), a.rp.Calls(gintest.EndpointToken), a.rp.Calls(gintest.EndpointAPI)
	if refreshes != requests || token != requests || api != requests {
		t.Fatalf("%d requests cost %d refreshes in %d token calls and %d API calls, want %d each: a nonce was sent to the other server",
			requests, refreshes, token, api, requests)
	}
}
