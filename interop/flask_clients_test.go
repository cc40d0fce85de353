package interop

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gindance/gindance/gintest"
)

// Flask-Dance and Authlib's Flask client (testdata/flask_clients.py) log in
// against gintest's fake providers and examples/provider: proof that the
// fakes are standard providers any client can use, not only gindance.

var flaskClientModules = []string{"flask", "flask_dance", "authlib", "requests_oauthlib"}

// clientResult is what testdata/flask_clients.py reports at /result and
// /api: the API's answer, the token as the client holds it, the verified
// id_token claims (OIDC) and how often it refreshed (Authlib).
type clientResult struct {
	Error     string         `json:"error"`
	Status    int            `json:"status"`
	Me        map[string]any `json:"me"`
	Token     map[string]any `json:"token"`
	Claims    map[string]any `json:"claims"`
	Refreshes int            `json:"refreshes"`
}

func startClient(t *testing.T, kind, providerURL string, args ...string) *pyProcess {
	t.Helper()
	return startPython(t, flaskClientModules, "flask_clients.py", append([]string{"--client", kind, "--base", providerURL}, args...)...)
}

// result decodes the client's answer on page, which must be a success.
func result(t *testing.T, page *gintest.Page) clientResult {
	t.Helper()
	var r clientResult
	decodeJSON(t, page.Body, &r)
	if page.StatusCode != http.StatusOK || r.Error != "" || r.Status != http.StatusOK {
		t.Fatalf("the client failed at %v: %d %s", page.URL, page.StatusCode, page.Body)
	}
	return r
}

// signInAt fills in gintest's sign-in form on page as name.
func signInAt(t *testing.T, b *gintest.Browser, page *gintest.Page, name string) *gintest.Page {
	t.Helper()
	if page.URL.Path != "/authorize" || page.StatusCode != http.StatusOK {
		t.Fatalf("expected the sign-in form, got %v %d: %.300s", page.URL, page.StatusCode, page.Body)
	}
	next, err := b.SignIn(page, name)
	if err != nil {
		t.Fatal(err)
	}
	return next
}

func get(t *testing.T, b *gintest.Browser, u string) *gintest.Page {
	t.Helper()
	page, err := b.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return page
}

// checkRefreshed asserts that after refreshing, the client holds a new
// access token and the rotated refresh token.
func checkRefreshed(t *testing.T, before, after clientResult) {
	t.Helper()
	if after.Token["access_token"] == before.Token["access_token"] {
		t.Fatalf("the client did not refresh its expired token")
	}
	if r := after.Token["refresh_token"]; r == before.Token["refresh_token"] || r == "" || r == nil {
		t.Fatalf("the client did not keep the rotated refresh token")
	}
}

// TestFlaskDanceOAuth2AgainstGintest: Flask-Dance's OAuth 2.0 blueprint
// signs in through gintest.Provider's form, calls /api/me and refreshes
// through requests-oauthlib against rotation with reuse detection (RFC
// 9700 §4.14.2). Flask-Dance 6 sends no PKCE, so the provider allows a
// missing challenge (Options.AllowMissingPKCE).
func TestFlaskDanceOAuth2AgainstGintest(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{AllowMissingPKCE: true, TokenLifetime: 2 * time.Second,
		RotateRefreshTokens: true, DetectRefreshReuse: true})
	t.Cleanup(p.Close)
	client := startClient(t, "flaskdance-oauth2", p.URL())
	b := gintest.NewBrowser()

	page := get(t, b, client.URL+"/login")
	if q := page.URL.Query(); q.Get("state") == "" || q.Has("code_challenge") {
		t.Fatalf("Flask-Dance's authorization request changed (state, no PKCE expected): %v", page.URL)
	}
	first := result(t, signInAt(t, b, page, "ada"))
	if first.Me["login"] != "ada" || first.Me["id"] != "user-ada" {
		t.Fatalf("Flask-Dance saw /api/me %v", first.Me)
	}
	time.Sleep(2500 * time.Millisecond) // past the token's expiry
	second := result(t, get(t, b, client.URL+"/api"))
	checkRefreshed(t, first, second)
	if n := p.Calls(gintest.EndpointRefresh); n != 1 {
		t.Fatalf("%d refresh requests, want 1", n)
	}
	if second.Me["login"] != "ada" {
		t.Fatalf("after refresh /api/me %v", second.Me)
	}
}

// TestAuthlibClientOAuth2AgainstExamplesProvider: Authlib's Flask client
// with PKCE S256 signs in through the form of examples/provider (which
// requires S256), calls /api/me, and refreshes against -rotate.
func TestAuthlibClientOAuth2AgainstExamplesProvider(t *testing.T) {
	requirePython(t, flaskClientModules...)
	provider := startExamplesProvider(t, "-rotate", "-token-lifetime", "2s")
	client := startClient(t, "authlib-oauth2", provider)
	b := gintest.NewBrowser()

	page := get(t, b, client.URL+"/login")
	if q := page.URL.Query(); q.Get("code_challenge_method") != "S256" || q.Get("state") == "" {
		t.Fatalf("Authlib's authorization request without PKCE S256 or state: %v", page.URL)
	}
	first := result(t, signInAt(t, b, page, "grace"))
	if first.Me["login"] != "grace" {
		t.Fatalf("Authlib saw /api/me %v", first.Me)
	}
	time.Sleep(2500 * time.Millisecond)
	second := result(t, get(t, b, client.URL+"/api"))
	checkRefreshed(t, first, second)
	if second.Refreshes != 1 || second.Me["login"] != "grace" {
		t.Fatalf("after refresh: %d refreshes, /api/me %v", second.Refreshes, second.Me)
	}
}

// TestAuthlibClientOIDCAgainstGintest: Authlib's OpenID Connect client
// discovers gintest.OIDCProvider, logs in with PKCE S256 and a nonce, and
// verifies the id_token itself (signature from the JWKS, iss, aud, exp,
// nonce: OpenID Connect Core §3.1.3.7); the id_token faults gintest can
// inject are refused by Authlib too.
func TestAuthlibClientOIDCAgainstGintest(t *testing.T) {
	op := gintest.StartOIDCProvider(gintest.OIDCOptions{})
	t.Cleanup(op.Close)
	client := startClient(t, "authlib-oidc", op.URL())

	r := result(t, get(t, gintest.NewBrowser(), client.URL+"/login"))
	if r.Claims["sub"] != "u-1" || r.Claims["iss"] != op.Issuer() || r.Claims["aud"] != gintest.DefaultClientID || r.Claims["nonce"] == nil {
		t.Fatalf("the id_token claims Authlib verified: %v", r.Claims)
	}
	if r.Me["sub"] != "u-1" || r.Me["email"] != "alice@example.test" {
		t.Fatalf("userinfo: %v", r.Me)
	}

	for name, fault := range map[string]gintest.OIDCFailure{
		"wrong nonce":   {WrongNonce: true},
		"bad signature": {BadSignature: true},
		"wrong issuer":  {WrongIssuer: true},
		"expired":       {Expired: true},
	} {
		t.Run(name, func(t *testing.T) {
			op.Fail(fault)
			t.Cleanup(func() { op.Fail(gintest.OIDCFailure{}) })
			page := get(t, gintest.NewBrowser(), client.URL+"/login")
			var r clientResult
			decodeJSON(t, page.Body, &r)
			if page.StatusCode != http.StatusInternalServerError || r.Error == "" {
				t.Fatalf("Authlib accepted an id_token with %s: %d %s", name, page.StatusCode, page.Body)
			}
			t.Logf("Authlib: %s", r.Error)
		})
	}
}

// TestFlaskDanceOAuth1AgainstGintest: Flask-Dance's OAuth 1.0a blueprint
// (requests-oauthlib's signatures) through gintest.OAuth1Provider's three
// legs, then a signed GET with a query and a signed POST with a form body;
// the provider verifies every signature (RFC 5849 §3.4).
//
// Flask-Dance 6 signs the access token request without the request token
// secret (it forgets it between the login and the callback), which RFC 5849
// §3.4.2 puts in the signing key; gintest refuses that signature, as
// Authlib's server does. The client script's --keep-request-secret hook
// carries the secret over, so that the rest of the dance is checked.
func TestFlaskDanceOAuth1AgainstGintest(t *testing.T) {
	t.Run("as shipped", func(t *testing.T) {
		p := gintest.StartOAuth1Provider(gintest.OAuth1Options{})
		t.Cleanup(p.Close)
		client := startClient(t, "flaskdance-oauth1", p.URL())
		page := get(t, gintest.NewBrowser(), client.URL+"/login")
		if page.StatusCode == http.StatusOK || p.AccessTokens() != 0 || p.Rejected() == 0 {
			t.Fatalf("Flask-Dance's access token request was not refused as expected (now fixed upstream?): %d %s, %d rejected, %d access tokens",
				page.StatusCode, page.Body, p.Rejected(), p.AccessTokens())
		}
	})

	p := gintest.StartOAuth1Provider(gintest.OAuth1Options{})
	t.Cleanup(p.Close)
	client := startClient(t, "flaskdance-oauth1", p.URL(), "--keep-request-secret")
	b := gintest.NewBrowser()

	r := result(t, get(t, b, client.URL+"/login"))
	if r.Me["screen_name"] != "ada" || r.Me["email"] != "ada@example.test" || r.Token["oauth_token_secret"] == "" {
		t.Fatalf("Flask-Dance saw %v with token %v", r.Me, r.Token)
	}
	page, err := b.PostForm(client.URL+"/post", url.Values{"status": {"hello & good bye, 100% signed"}})
	if err != nil {
		t.Fatal(err)
	}
	var post struct {
		Status int            `json:"status"`
		Body   map[string]any `json:"body"`
	}
	decodeJSON(t, page.Body, &post)
	if post.Status != http.StatusOK || post.Body["text"] != "hello & good bye, 100% signed" {
		t.Fatalf("signed POST: %s", page.Body)
	}
	if p.Rejected() != 0 || p.AccessTokens() != 1 {
		t.Fatalf("the provider rejected %d requests and issued %d access tokens", p.Rejected(), p.AccessTokens())
	}
}

var bannerURL = regexp.MustCompile(`provider on (http://127\.0\.0\.1:\d+) `)

// startExamplesProvider builds examples/provider (Go's build cache makes
// this quick after the first time), runs it on a free loopback port with
// args, and returns its URL from the banner.
func startExamplesProvider(t *testing.T, args ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "provider")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/gindance/gindance/examples/provider").CombinedOutput(); err != nil {
		t.Fatalf("go build examples/provider: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := bannerURL.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case u := <-found:
		return strings.TrimRight(u, "/")
	case <-time.After(30 * time.Second):
		t.Fatal("examples/provider printed no banner within 30s")
		return ""
	}
}
