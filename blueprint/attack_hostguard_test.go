package blueprint_test

// The attack catalogue: the host guard against hosts that a Unicode case
// fold, or a string join, makes look like the API's: U+212A KELVIN SIGN,
// fullwidth letters, a trailing dot, IDNA forms. The hosts are names (api.kiwi.test) that no resolver is asked
// about: a namedLoopback dials every name on one loopback server and
// records what net/http dialed and what Host each request named.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// namedLoopback is one loopback server reachable under any host name.
type namedLoopback struct {
	*httptest.Server
	port  string
	mu    sync.Mutex
	seen  []string // "dial <host:port>" and "<Host> <method> <path> <body>", in order
	hosts []string // each dialed host and each request's Host, lower-cased, without port
}

func newNamedLoopback(t *testing.T, h http.Handler) *namedLoopback {
	t.Helper()
	n := &namedLoopback{}
	n.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n.record(r.Host, fmt.Sprintf("%s %s %s %s", r.Host, r.Method, r.URL.Path, body))
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(n.Close)
	_, n.port, _ = net.SplitHostPort(n.Listener.Addr().String())
	return n
}

func (n *namedLoopback) record(hostport, line string) {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	n.mu.Lock()
	n.seen = append(n.seen, line)
	n.hosts = append(n.hosts, strings.ToLower(host))
	n.mu.Unlock()
}

// url is http://name:port, the server under name.
func (n *namedLoopback) url(name string) string { return "http://" + net.JoinHostPort(name, n.port) }

// client is an HTTP client of its own (no shared connection pool) whose
// every dial goes to the server.
func (n *namedLoopback) client() *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		n.record(addr, "dial "+addr)
		_, port, err := net.SplitHostPort(addr)
		if err != nil || port != n.port {
			return nil, fmt.Errorf("namedLoopback: no server at %q", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
	}}}
}

// foreign returns what reached the server under a host other than
// genuine, or was dialed as one.
func (n *namedLoopback) foreign(genuine ...string) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for i, h := range n.hosts {
		ok := false
		for _, g := range genuine {
			ok = ok || h == g
		}
		if !ok {
			out = append(out, n.seen[i])
		}
	}
	return out
}

func (n *namedLoopback) reset() {
	n.mu.Lock()
	n.seen, n.hosts = nil, nil
	n.mu.Unlock()
}

// lookalike is a spelling of a host that a Unicode case fold
// (strings.ToLower) turns into the host itself.
type lookalike struct{ name, from, to string }

// kiwiLookalikes respell "kiwi" in a host name. net/http dials with IDNA's
// Lookup profile (UTS #46) and names the host in the Host header with the
// Punycode profile:
//   - U+0130 folds to "i" but UTS #46 maps it to "i" and U+0307: dialed as
//     another, punycode name;
//   - U+212A KELVIN SIGN folds and maps to "k", but the Host header carries
//     it punycoded: the request names another host (and an HTTP proxy
//     would connect to that one);
//   - fullwidth letters map to ASCII when dialed but not in the Host header;
//   - a trailing dot makes an absolute name, which the guard keeps apart.
var kiwiLookalikes = []lookalike{
	{"U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE", "kiwi", "k\u0130wi"},
	{"U+212A KELVIN SIGN", "kiwi", "\u212Aiwi"},
	{"fullwidth letters", "kiwi", "\uff4b\uff49\uff57\uff49"},
	{"trailing dot", "kiwi.test", "kiwi.test."},
}

// apiOnLoopback is a blueprint whose API is http://api.kiwi.test:port on
// a namedLoopback, with a token stored. The API answers /x with 200 and
// /redirect?to=URL with a 302 to URL.
func apiOnLoopback(t *testing.T) (*blueprint.Blueprint, *namedLoopback) {
	t.Helper()
	n := newNamedLoopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if to := r.URL.Query().Get("to"); to != "" {
			w.Header().Set("Location", to)
			w.WriteHeader(http.StatusFound)
			return
		}
		w.Write([]byte("ok"))
	}))
	cfg := staticConfig(n.url("api.kiwi.test") + "/")
	cfg.HTTPClient = n.client()
	b := blueprint.NewOAuth2("p", cfg)
	withToken(b, &blueprint.Token{AccessToken: "at-kiwi-secret"})
	return b, n
}

// get calls b.Client(c).Get(u) in a request and returns its error.
func get(t *testing.T, b *blueprint.Blueprint, u string) error {
	t.Helper()
	return call(t, b, func(c *gin.Context) error {
		resp, err := b.Client(c).Get(u)
		if err == nil {
			resp.Body.Close()
		}
		return err
	})
}

// Finding 1: an absolute URL whose host folds to the API's is refused with
// ErrForeignHost before anything is dialed; the API's own host, in any
// ASCII case, still works.
func TestAttackHostGuardUnicodeCaseFoldAbsoluteURL(t *testing.T) {
	b, n := apiOnLoopback(t)
	if err := get(t, b, n.url("API.Kiwi.TEST")+"/x"); err != nil {
		t.Fatalf("the API's own host in upper case: %v", err)
	}
	if f := n.foreign("api.kiwi.test"); len(f) != 0 {
		t.Fatalf("the API's own host reached %q", f)
	}
	for _, l := range kiwiLookalikes {
		t.Run(l.name, func(t *testing.T) {
			n.reset()
			target := strings.Replace(n.url("api.kiwi.test"), l.from, l.to, 1) + "/x"
			err := get(t, b, target)
			if !errors.Is(err, blueprint.ErrForeignHost) {
				t.Errorf("Get(%q) = %v; want ErrForeignHost", target, err)
			}
			if len(n.seen) != 0 {
				t.Errorf("Get(%q) reached the network: %q", target, n.seen)
			}
		})
	}
}

// Finding 1: a 302 from the genuine API to a host that folds to the API's
// ends in ErrForeignHost; the token reaches no other host name.
func TestAttackHostGuardUnicodeCaseFoldAPIRedirect(t *testing.T) {
	b, n := apiOnLoopback(t)
	for _, l := range kiwiLookalikes {
		t.Run(l.name, func(t *testing.T) {
			n.reset()
			to := strings.Replace(n.url("api.kiwi.test"), l.from, l.to, 1) + "/x"
			err := get(t, b, "/redirect?to="+url.QueryEscape(to))
			if !errors.Is(err, blueprint.ErrForeignHost) {
				t.Errorf("302 to %q: %v; want ErrForeignHost", to, err)
			}
			if f := n.foreign("api.kiwi.test"); len(f) != 0 {
				t.Errorf("302 to %q: the token went to %q", to, f)
			}
			if len(n.seen) == 0 {
				t.Fatal("the API was not called")
			}
		})
	}
}

// Finding 1, at the token endpoint: a 307 from the token endpoint (code
// exchange and refresh), the revocation endpoint or the PAR endpoint to a
// host that folds to the provider's would re-post client_secret, code,
// code_verifier or refresh token there. Each call stops at the redirect
// with ErrForeignHost, and nothing reaches another host name.
func TestAttackHostGuardUnicodeCaseFoldTokenEndpointRedirect(t *testing.T) {
	for _, l := range kiwiLookalikes {
		for _, op := range []string{"exchange", "refresh", "revoke", "par"} {
			t.Run(l.name+"/"+op, func(t *testing.T) {
				var redirecting sync.Map
				p := gintest.NewProvider(gintest.Options{TokenLifetime: 30 * time.Second, User: &gintest.User{ID: "u-1", Login: "alice"}})
				var n *namedLoopback
				n = newNamedLoopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if _, on := redirecting.Load(r.URL.Path); on && strings.HasPrefix(strings.ToLower(r.Host), "idp.kiwi.test:") {
						to := strings.Replace(n.url("idp.kiwi.test"), l.from, l.to, 1) + r.URL.Path
						http.Redirect(w, r, to, http.StatusTemporaryRedirect)
						return
					}
					p.ServeHTTP(w, r)
				}))
				idp := n.url("idp.kiwi.test")
				p.SetBaseURL(idp)
				b := blueprint.NewOAuth2("fake", blueprint.OAuth2Config{
					ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
					TokenAuth: blueprint.ClientSecretPost,
					AuthURL:   n.URL + "/authorize", TokenURL: idp + "/token", RevocationURL: idp + "/revoke",
					PARURL: idp + "/par", APIBaseURL: idp + "/api/",
					Options: blueprint.Options{HTTPClient: n.client(), PushAuthorizationRequests: op == "par", LoginCookieKey: testLoginKey},
				})
				stopsAtRedirect(t, b, op, func(path string) { redirecting.Store(path, true) })
				// the browser's visits name 127.0.0.1; the blueprint's only idp.kiwi.test
				if f := n.foreign("idp.kiwi.test", "127.0.0.1"); len(f) != 0 {
					t.Fatalf("%s: reached another host name: %q", op, f)
				}
			})
		}
	}
}

// Finding 2: origins are compared as scheme, host and port, not as a
// joined "host:port" string. With the API at [2001:db8::1]:8443, the
// address [2001:db8::1:8443] (port 80) joined to the same string; neither
// an absolute URL nor a 302 from the API may send the token there.
func TestAttackHostGuardIPv6OriginCollision(t *testing.T) {
	var dialed []string
	var mu sync.Mutex
	api := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
		if to := r.URL.Query().Get("to"); to != "" {
			http.Redirect(w, r, to, http.StatusFound)
		}
	})
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		dialed = append(dialed, addr)
		mu.Unlock()
		if strings.ToLower(addr) != "[2001:db8::1]:8443" {
			return nil, errors.New("not the API")
		}
		var d net.Dialer
		return d.DialContext(ctx, network, api.Listener.Addr().String())
	}}}
	cfg := staticConfig("http://[2001:db8::1]:8443/")
	cfg.HTTPClient = hc
	b := blueprint.NewOAuth2("p", cfg)
	withToken(b, &blueprint.Token{AccessToken: "at-v6-secret"})
	if err := get(t, b, "http://[2001:DB8::1]:8443/x"); err != nil {
		t.Fatalf("the API itself: %v", err)
	}
	for _, target := range []string{"http://[2001:db8::1:8443]/x", "/?to=" + url.QueryEscape("http://[2001:db8::1:8443]/x")} {
		if err := get(t, b, target); !errors.Is(err, blueprint.ErrForeignHost) {
			t.Errorf("%s: %v; want ErrForeignHost", target, err)
		}
	}
	for _, a := range dialed {
		if strings.ToLower(a) != "[2001:db8::1]:8443" {
			t.Errorf("dialed %s", a)
		}
	}
}

// RFC 9449 §4.2, §4.3 item 9: a DPoP proof's htu is the URI the server
// receives. For a provider and API configured under an internationalised
// name in its normal form (bücher.test, which net/http dials and names
// alike as xn--bcher-kva.test), the proofs at the token endpoint and at the
// API name the host in that ASCII form, and a server that checks htu
// accepts them; no other host name is dialed or named.
func TestDPoPHtuNamesIDNHostAsSent_RFC9449_4_2(t *testing.T) {
	p := gintest.NewProvider(gintest.Options{RequireDPoP: true, User: &gintest.User{ID: "u-1", Login: "alice"}})
	n := newNamedLoopback(t, p)
	p.SetBaseURL(n.url("xn--bcher-kva.test")) // what the provider checks htu against
	idn := n.url("b\u00fccher.test")
	b := blueprint.NewOAuth2("idp", blueprint.OAuth2Config{
		ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		AuthURL: n.URL + "/authorize", TokenURL: idn + "/token", APIBaseURL: idn + "/api/",
		Options: blueprint.Options{HTTPClient: n.client(), DPoP: true, LoginCookieKey: testLoginKey},
	})
	var lastErr error
	b.OnError(func(c *gin.Context, err error) { lastErr = err; blueprint.DefaultErrorHandler(c, err) })
	r := newEngine()
	b.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) { // the API checks the proof's htu too
		resp, err := b.Client(c).Get("me")
		if err != nil {
			c.String(http.StatusBadGateway, "api: %v", err)
			return
		}
		resp.Body.Close()
		c.String(http.StatusOK, "api: %d", resp.StatusCode)
	})
	app := httptest.NewServer(r)
	t.Cleanup(app.Close)
	page, err := gintest.NewBrowser().Get(app.URL + "/login/idp")
	if err != nil {
		t.Fatal(err)
	}
	if page.Body != "api: 200" {
		t.Fatalf("login and API call: %d %q, error %v", page.StatusCode, page.Body, lastErr)
	}
	if f := n.foreign("xn--bcher-kva.test", "127.0.0.1"); len(f) != 0 {
		t.Fatalf("reached another host name: %q", f)
	}
}

// AllowedHosts (and APIBaseURL) are compared as net/http dials them: an
// entry written as an internationalised name in its normal form admits the
// same host in its ASCII form (as links in API answers carry it), and an
// entry that net/http would dial and name as two different hosts is a
// configuration error, not a guess.
func TestHostGuardAllowedHostsCompareAsDialed(t *testing.T) {
	var dialed []string
	cfg := staticConfig("https://api.kiwi.test/")
	cfg.AllowedHosts = []string{"https://b\u00fccher.test"}
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		dialed = append(dialed, addr)
		return nil, errors.New("recorded, not dialed")
	}}}
	b := blueprint.NewOAuth2("p", cfg)
	withToken(b, &blueprint.Token{AccessToken: "at-allowed"})
	for _, u := range []string{"https://xn--bcher-kva.test/x", "https://XN--BCHER-KVA.test/x", "https://b\u00fccher.test/x"} {
		if err := get(t, b, u); err == nil || errors.Is(err, blueprint.ErrForeignHost) {
			t.Errorf("Get(%q) = %v; want it let through (and the recording dialer's error)", u, err)
		}
	}
	for _, a := range dialed {
		if strings.ToLower(a) != "xn--bcher-kva.test:443" {
			t.Errorf("dialed %q", a)
		}
	}
	if len(dialed) != 3 {
		t.Errorf("%d dials; want 3", len(dialed))
	}
	for _, entry := range []string{"https://uploads.\u212Aiwi.test", "https://uploads.k\u0130wi.test", "https://\uff4b\uff49\uff57\uff49.test"} {
		cfg.AllowedHosts = []string{entry}
		if err := blueprint.NewOAuth2("p", cfg).Validate(); !errors.Is(err, blueprint.ErrConfig) {
			t.Errorf("AllowedHosts %q: Validate() = %v; want ErrConfig", entry, err)
		}
		cfg.AllowedHosts = nil
		cfg.APIBaseURL = entry + "/"
		if err := blueprint.NewOAuth2("p", cfg).Validate(); !errors.Is(err, blueprint.ErrConfig) {
			t.Errorf("APIBaseURL %q: Validate() = %v; want ErrConfig", entry, err)
		}
		cfg.APIBaseURL = "https://api.kiwi.test/"
	}
}
