package blueprint_test

import (
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// dpopApp is an app with a DPoP blueprint against a recording gintest
// provider: "/" reports the login, "/me" calls the API through the Client.
type dpopApp struct {
	url string
	b   *blueprint.Blueprint
	rp  *recordingProvider
	err atomic.Pointer[error]
}

func startDPoPApp(t *testing.T, opts gintest.Options, tweak func(*blueprint.OAuth2Config)) *dpopApp {
	t.Helper()
	if opts.User == nil {
		opts.User = &gintest.User{ID: "u-1", Login: "alice"}
	}
	a := &dpopApp{rp: startRecordingProvider(t, opts)}
	a.b = a.rp.NewBlueprint("idp", func(c *blueprint.OAuth2Config) {
		c.DPoP = true
		if tweak != nil {
			tweak(c)
		}
	})
	a.b.OnError(func(c *gin.Context, err error) { a.err.Store(&err); c.String(blueprint.StatusCode(err), "failed") })
	r := newEngine()
	a.b.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "authorized=%v", a.b.Authorized(c)) })
	r.GET("/me", func(c *gin.Context) {
		var me struct {
			Login string `json:"login"`
		}
		if err := a.b.Client(c).GetJSON("me?x=1", &me); err != nil {
			c.String(http.StatusBadGateway, "api: %v", err)
			return
		}
		c.String(http.StatusOK, "login=%s", me.Login)
	})
	// Three calls in one request: they share the request's memo of the key.
	r.GET("/me3", func(c *gin.Context) {
		for i := 0; i < 3; i++ {
			var me struct {
				Login string `json:"login"`
			}
			if err := a.b.Client(c).GetJSON("me", &me); err != nil {
				c.String(http.StatusBadGateway, "api call %d: %v", i, err)
				return
			}
		}
		c.String(http.StatusOK, "3 calls")
	})
	app := httptest.NewServer(r)
	t.Cleanup(app.Close)
	a.url = app.URL
	return a
}

func (a *dpopApp) lastErr() error {
	if p := a.err.Load(); p != nil {
		return *p
	}
	return nil
}

// proofOf decodes a DPoP header: its claims after checking the signature
// with the embedded key, and the key's thumbprint.
func proofOf(t *testing.T, raw string) (map[string]any, string) {
	t.Helper()
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("DPoP proof: %v", err)
	}
	h := tok.Headers[0]
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "dpop+jwt" || h.JSONWebKey == nil || !h.JSONWebKey.IsPublic() {
		t.Fatalf("proof header: typ %v, jwk %v", h.ExtraHeaders[jose.HeaderType], h.JSONWebKey)
	}
	var c map[string]any
	if err := tok.Claims(h.JSONWebKey.Key, &c); err != nil {
		t.Fatal(err)
	}
	tp, _ := h.JSONWebKey.Thumbprint(crypto.SHA256)
	return c, base64.RawURLEncoding.EncodeToString(tp)
}

// RFC 9449 §5 and §7.1: with DPoP on, the exchange, every refresh and every
// API call carry a fresh proof by one key (htm, htu without query, iat,
// jti; ath at the API), the token is DPoP-bound and the API is called with
// the DPoP scheme, against a server that requires proofs.
func TestDPoPLoginRefreshAndAPI_RFC9449_5_7(t *testing.T) {
	// 30 s tokens within the 60 s leeway: every request refreshes.
	a := startDPoPApp(t, gintest.Options{RequireDPoP: true, TokenLifetime: 30 * time.Second}, nil)
	br := gintest.NewBrowser()
	if page, err := br.Get(a.url + "/login/idp"); err != nil || page.Body != "authorized=true" {
		t.Fatalf("login: %v %q %v", err, page.Body, a.lastErr())
	}
	for i := 0; i < 2; i++ {
		if page, err := br.Get(a.url + "/me"); err != nil || page.Body != "login=alice" {
			t.Fatalf("API call %d: %v %q", i, err, page.Body)
		}
	}
	var thumb string
	jtis := map[string]bool{}
	token := a.rp.posts("/token")
	if len(token) < 3 { // the exchange and a refresh per API call
		t.Fatalf("%d token requests", len(token))
	}
	for i, r := range token {
		c, tp := proofOf(t, r.header.Get("DPoP"))
		if c["htm"] != "POST" || c["htu"] != a.rp.TokenURL() || c["iat"] == nil || c["ath"] != nil {
			t.Fatalf("token proof %d: %v", i, c)
		}
		if thumb == "" {
			thumb = tp
		} else if tp != thumb {
			t.Fatal("the refresh was proven with another key than the exchange")
		}
		jtis[c["jti"].(string)] = true
	}
	var api int
	for _, r := range a.rp.requests() {
		if !strings.HasPrefix(r.url, "/api/me") {
			continue
		}
		api++
		if !strings.HasPrefix(r.header.Get("Authorization"), "DPoP ") {
			t.Fatalf("API Authorization %q", r.header.Get("Authorization"))
		}
		c, tp := proofOf(t, r.header.Get("DPoP"))
		if c["htm"] != "GET" || c["htu"] != a.rp.URL()+"/api/me" || c["ath"] == nil || tp != thumb {
			t.Fatalf("API proof: %v (key %s, want %s)", c, tp, thumb)
		}
		jtis[c["jti"].(string)] = true
	}
	if api != 2 || len(jtis) != len(token)+api {
		t.Fatalf("%d API calls, %d distinct jti for %d proofs", api, len(jtis), len(token)+api)
	}
}

// RFC 9449 §4.2 and §7.1: the API calls of one request share the loaded
// key but not the proof: each carries its own jti, a current iat, the
// request's htm and htu, and ath, the hash of the access token it goes
// with, all signed by the token's key.
func TestDPoPProofFreshPerCallWithinRequest_RFC9449_4_2(t *testing.T) {
	a := startDPoPApp(t, gintest.Options{RequireDPoP: true}, nil)
	br := gintest.NewBrowser()
	if page, err := br.Get(a.url + "/login/idp"); err != nil || page.Body != "authorized=true" {
		t.Fatalf("login: %v %q %v", err, page.Body, a.lastErr())
	}
	_, thumb := proofOf(t, a.rp.posts("/token")[0].header.Get("DPoP"))
	before := time.Now().Add(-time.Second).Unix()
	if page, err := br.Get(a.url + "/me3"); err != nil || page.Body != "3 calls" {
		t.Fatalf("API calls: %v %q", err, page.Body)
	}
	jtis := map[string]bool{}
	var api int
	for _, r := range a.rp.requests() {
		if !strings.HasPrefix(r.url, "/api/me") {
			continue
		}
		api++
		access, ok := strings.CutPrefix(r.header.Get("Authorization"), "DPoP ")
		if !ok {
			t.Fatalf("API Authorization %q", r.header.Get("Authorization"))
		}
		sum := sha256.Sum256([]byte(access))
		c, tp := proofOf(t, r.header.Get("DPoP"))
		iat, _ := c["iat"].(float64)
		if c["htm"] != "GET" || c["htu"] != a.rp.URL()+"/api/me" || tp != thumb ||
			c["ath"] != base64.RawURLEncoding.EncodeToString(sum[:]) ||
			int64(iat) < before || int64(iat) > time.Now().Unix()+1 {
			t.Fatalf("API proof %d: %v (key %s, want %s)", api, c, tp, thumb)
		}
		jti, _ := c["jti"].(string)
		if jti == "" || jtis[jti] {
			t.Fatalf("API proof %d: jti %q missing or repeated within the request", api, jti)
		}
		jtis[jti] = true
	}
	if api != 3 {
		t.Fatalf("%d API calls, want 3", api)
	}
}

// RFC 9449 §8 and §9: a server nonce is retried once, at the token
// endpoint and at the resource server, and remembered per server and
// origin, so that the next request carries it without another round trip.
func TestDPoPNonceRetriedOnceAndRemembered_RFC9449_8_9(t *testing.T) {
	a := startDPoPApp(t, gintest.Options{RequireDPoP: true, DPoPNonce: true}, nil)
	br := gintest.NewBrowser()
	if page, _ := br.Get(a.url + "/login/idp"); page.Body != "authorized=true" {
		t.Fatalf("login: %q %v", page.Body, a.lastErr())
	}
	if n := a.rp.Calls(gintest.EndpointToken); n != 2 {
		t.Fatalf("%d token calls, want the exchange and its one retry with the nonce", n)
	}
	if page, _ := br.Get(a.url + "/me"); page.Body != "login=alice" {
		t.Fatalf("API: %q", page.Body)
	}
	if n := a.rp.Calls(gintest.EndpointAPI); n != 2 {
		t.Fatalf("%d API calls, want 2: the resource server's own nonce demand and one retry", n)
	}
	if page, _ := br.Get(a.url + "/me"); page.Body != "login=alice" {
		t.Fatalf("API: %q", page.Body)
	}
	if n := a.rp.Calls(gintest.EndpointAPI); n != 3 {
		t.Fatalf("%d API calls, want 3: the resource server's nonce is remembered", n)
	}
	a.rp.ExpireDPoPNonces()
	if page, _ := br.Get(a.url + "/me"); page.Body != "login=alice" {
		t.Fatalf("API after the server's nonces expired: %q", page.Body)
	}
	if n := a.rp.Calls(gintest.EndpointAPI); n != 5 {
		t.Fatalf("%d API calls, want 5: one retry with the new nonce", n)
	}
	// A fresh nonce on every answer, each good once: the newest is used.
	a.rp.Fail(gintest.Failure{DPoPNonceEveryCall: true})
	a.rp.ResetCalls()
	for i := 0; i < 3; i++ {
		if page, _ := br.Get(a.url + "/me"); page.Body != "login=alice" {
			t.Fatalf("API call %d with a nonce per call: %q", i, page.Body)
		}
	}
	if n := a.rp.Calls(gintest.EndpointAPI); n > 4 {
		t.Fatalf("%d API calls for 3 requests: the newest nonce is not remembered", n)
	}
}

// RFC 9449 §5: token_type DPoP is accepted only with DPoP on (there is no
// key to use it otherwise); with DPoP on, a token the server did not bind
// (token_type Bearer) is refused rather than used as a bearer token.
func TestDPoPTokenTypeMatchesTheSwitch_RFC9449_5(t *testing.T) {
	a := startDPoPApp(t, gintest.Options{}, nil)
	a.rp.Fail(gintest.Failure{TokenType: "Bearer"})
	if page, _ := gintest.NewBrowser().Get(a.url + "/login/idp"); page.StatusCode != http.StatusBadGateway {
		t.Fatalf("unbound token: %d %q", page.StatusCode, page.Body)
	}
	if err := a.lastErr(); !errors.Is(err, blueprint.ErrDPoPNotBound) {
		t.Fatalf("got %v", err)
	}
	off := startDPoPApp(t, gintest.Options{}, func(c *blueprint.OAuth2Config) { c.DPoP = false })
	off.rp.Fail(gintest.Failure{TokenType: "DPoP"})
	gintest.NewBrowser().Get(off.url + "/login/idp")
	if err := off.lastErr(); !errors.Is(err, blueprint.ErrUnsupportedTokenType) {
		t.Fatalf("DPoP token without DPoP on: %v", err)
	}
}

// A DPoP-bound token whose key is missing or corrupt in storage is
// unusable: ErrNotAuthorized (ErrDPoPKey), nothing is sent, and no proof is
// signed with a new key.
func TestDPoPKeyUnloadableIsNotAuthorized(t *testing.T) {
	for name, key := range map[string]string{"missing": "", "corrupt": `{"kty":"EC","crv":"P-256"}`} {
		p := gintest.StartProvider(gintest.Options{})
		t.Cleanup(p.Close)
		access, refresh := p.IssueToken("u-1", 0)
		b := p.NewBlueprint("idp", func(c *blueprint.OAuth2Config) { c.DPoP = true })
		gintest.SeedToken(b, &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "DPoP", DPoPKey: key,
			Expiry: time.Now().Add(time.Hour)})
		r := newEngine()
		var apiErr, refreshErr error
		r.GET("/", func(c *gin.Context) {
			_, apiErr = b.Client(c).Get("me")
			c.Status(http.StatusNoContent)
		})
		serve(r, "GET", "/", nil)
		if !errors.Is(apiErr, blueprint.ErrNotAuthorized) || !errors.Is(apiErr, blueprint.ErrDPoPKey) {
			t.Fatalf("%s key: API call %v", name, apiErr)
		}
		gintest.SeedToken(b, &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "DPoP", DPoPKey: key,
			Expiry: time.Now().Add(-time.Minute)})
		r2 := newEngine()
		r2.GET("/", func(c *gin.Context) { _, refreshErr = b.Token(c); c.Status(http.StatusNoContent) })
		serve(r2, "GET", "/", nil)
		if !errors.Is(refreshErr, blueprint.ErrNotAuthorized) {
			t.Fatalf("%s key: refresh %v", name, refreshErr)
		}
		if p.Calls(gintest.EndpointAPI) != 0 || p.Calls(gintest.EndpointToken) != 0 {
			t.Fatalf("%s key: a request was sent", name)
		}
	}
}

// The foreign-host guard applies to proofs as to tokens: an API redirect to
// another origin is not followed, so no proof (and no token) reaches it.
func TestDPoPProofNeverSentToForeignHost(t *testing.T) {
	var foreign atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { foreign.Add(1) }))
	t.Cleanup(evil.Close)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(api.Close)
	p := gintest.StartProvider(gintest.Options{RequireDPoP: true})
	t.Cleanup(p.Close)
	r := newEngine()
	b := p.NewBlueprint("idp", func(c *blueprint.OAuth2Config) { c.DPoP, c.APIBaseURL = true, api.URL+"/" })
	gintest.SeedToken(b, &blueprint.Token{AccessToken: "at", TokenType: "DPoP", DPoPKey: testDPoPKey(t), Expiry: time.Now().Add(time.Hour)})
	var errs []error
	r.GET("/", func(c *gin.Context) {
		_, err := b.Client(c).Get("me")
		errs = append(errs, err)
		_, err = b.Client(c).Get(evil.URL + "/direct")
		errs = append(errs, err)
	})
	serve(r, "GET", "/", nil)
	for _, err := range errs {
		if !errors.Is(err, blueprint.ErrForeignHost) {
			t.Fatalf("got %v, want ErrForeignHost", err)
		}
	}
	if foreign.Load() != 0 {
		t.Fatal("a request reached the foreign host")
	}
}

// testDPoPKey is a stored DPoP key, as a login would keep it.
func testDPoPKey(t *testing.T) string {
	b, err := jose.JSONWebKey{Key: mustECKey(t), Algorithm: "ES256"}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The FAPI 2.0-style set at once (PAR, PKCE, private_key_jwt, DPoP with
// server nonces, RFC 9207 iss) against a provider requiring all of them:
// login, refreshes of rotating refresh tokens and API calls with the
// DPoP-bound tokens, and a revoking logout.
func TestFAPI2StyleLoginRefreshAndAPI(t *testing.T) {
	var h http.Handler = http.NotFoundHandler()
	appSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(appSrv.Close)
	idp := gintest.StartProvider(gintest.Options{
		User:       &gintest.User{ID: "u-1", Login: "alice"},
		Clients:    []gintest.Client{{ID: "bank-app", JWKSURL: appSrv.URL + "/jwks.json", AuthMethod: "private_key_jwt"}},
		RequirePAR: true, RequireDPoP: true, DPoPNonce: true,
		TokenLifetime: 30 * time.Second, RotateRefreshTokens: true, DetectRefreshReuse: true,
	})
	t.Cleanup(idp.Close)
	keys := []blueprint.ClientKey{{Signer: mustECKey(t)}}
	b := blueprint.NewOAuth2("bank", blueprint.OAuth2Config{
		ClientID: "bank-app", AuthURL: idp.AuthURL(), TokenURL: idp.TokenURL(), PARURL: idp.PARURL(),
		RevocationURL: idp.RevokeURL(), APIBaseURL: idp.APIBaseURL(), Issuer: idp.URL(), RequireIssuer: true,
		Options: blueprint.Options{ClientKeys: keys, PushAuthorizationRequests: true, DPoP: true},
	})
	jwks, err := blueprint.JWKSHandler(keys...)
	if err != nil {
		t.Fatal(err)
	}
	r := newEngine()
	r.GET("/jwks.json", gin.WrapH(jwks))
	b.Mount(r.Group("/login"))
	r.GET("/me", b.Require(), func(c *gin.Context) {
		var me struct {
			Login string `json:"login"`
		}
		if err := b.Client(c).GetJSON("me", &me); err != nil {
			c.String(http.StatusBadGateway, "api: %v", err)
			return
		}
		c.String(http.StatusOK, "login=%s", me.Login)
	})
	r.GET("/logout", func(c *gin.Context) {
		if err := b.Logout(c); err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "bye")
	})
	h = r
	br := gintest.NewBrowser()
	for i := 0; i < 3; i++ { // the first logs in; each refreshes (30 s tokens, 60 s leeway)
		if page, err := br.Get(appSrv.URL + "/me"); err != nil || page.Body != "login=alice" {
			t.Fatalf("request %d: %v %q", i, err, page.Body)
		}
	}
	if n := idp.Calls(gintest.EndpointRefresh); n < 3 {
		t.Fatalf("%d refreshes", n)
	}
	if page, _ := br.Get(appSrv.URL + "/logout"); page.Body != "bye" {
		t.Fatalf("logout: %q", page.Body)
	}
	if idp.Calls(gintest.EndpointRevoke) != 1 || idp.Calls(gintest.EndpointPAR) != 1 {
		t.Fatalf("revoke %d, par %d", idp.Calls(gintest.EndpointRevoke), idp.Calls(gintest.EndpointPAR))
	}
}
