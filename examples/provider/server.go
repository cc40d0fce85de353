package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gindance/gindance/gintest"
)

// config is what the flags set.
type config struct {
	addr          string
	clientID      string
	clientSecret  string
	redirectURIs  []string // empty: any http URI on a loopback host
	rotate        bool
	tokenLifetime time.Duration
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// parseFlags reads the command line. Errors and -h are reported on errOut
// by the flag package, which also prints the usage.
func parseFlags(args []string, errOut io.Writer) (config, error) {
	cfg := config{}
	fs := flag.NewFlagSet("provider", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:9000", "`host:port` to listen on (port 0 picks a free one)")
	fs.StringVar(&cfg.clientID, "client-id", gintest.DefaultClientID, "client_id of the registered client")
	fs.StringVar(&cfg.clientSecret, "client-secret", gintest.DefaultClientSecret, "client_secret of the registered client; empty registers a public client (PKCE only, no client_credentials)")
	fs.Var((*stringList)(&cfg.redirectURIs), "redirect-uri", "a registered redirect `URI`, matched exactly; repeat for several; none: any http URI on localhost, 127.0.0.1 or [::1]")
	fs.BoolVar(&cfg.rotate, "rotate", false, "rotate refresh tokens: each refresh returns a new one, and reusing an old one revokes the whole login")
	fs.DurationVar(&cfg.tokenLifetime, "token-lifetime", gintest.DefaultTokenLifetime, "access token lifetime")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	fail := func(format string, a ...any) (config, error) {
		err := fmt.Errorf(format, a...)
		fmt.Fprintln(errOut, err)
		fs.Usage()
		return config{}, err
	}
	if fs.NArg() > 0 {
		return fail("unexpected arguments: %q", fs.Args())
	}
	if cfg.clientID == "" {
		return fail("-client-id must not be empty")
	}
	if cfg.tokenLifetime <= 0 {
		return fail("-token-lifetime must be positive, not %v", cfg.tokenLifetime)
	}
	for _, r := range cfg.redirectURIs {
		// RFC 6749 §3.1.2: an absolute URI without a fragment.
		u, err := url.Parse(r)
		if err != nil || !u.IsAbs() || u.Host == "" || strings.Contains(r, "#") {
			return fail("-redirect-uri %q is not an absolute URI without a fragment", r)
		}
	}
	return cfg, nil
}

// server is the running provider: the gintest Provider behind a mux of
// our own that adds the index page and the metadata document.
type server struct {
	URL  string // base URL, no trailing slash
	cfg  config
	p    *gintest.Provider
	http *http.Server
	done chan error // receives the error if serving stops by itself
}

// start listens on cfg.addr and serves the provider in the background.
func start(cfg config) (*server, error) {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, err
	}
	s := &server{URL: "http://" + publicHostPort(cfg.addr, ln.Addr()), cfg: cfg, done: make(chan error, 1)}
	s.p = gintest.NewProvider(gintest.Options{
		Clients:             []gintest.Client{{ID: cfg.clientID, Secret: cfg.clientSecret, RedirectURIs: cfg.redirectURIs}},
		TokenLifetime:       cfg.tokenLifetime,
		RotateRefreshTokens: cfg.rotate,
		DetectRefreshReuse:  cfg.rotate,
	})
	s.p.SetBaseURL(s.URL)
	s.http = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.done <- err
		}
	}()
	return s, nil
}

// Shutdown stops accepting connections and waits for requests in flight,
// at most until ctx ends.
func (s *server) Shutdown(ctx context.Context) error {
	return s.http.Shutdown(ctx)
}

// publicHostPort is the host the user asked for with the port actually
// bound; an empty or unspecified host (":9000", "0.0.0.0:9000") becomes
// localhost, which reaches it from this machine.
func publicHostPort(addr string, bound net.Addr) string {
	host, _, _ := net.SplitHostPort(addr)
	_, port, _ := net.SplitHostPort(bound.String())
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// handler serves GET / and the RFC 8414 metadata itself and hands every
// other request to the gintest Provider.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", s.metadata)
	mux.Handle("/", s.p)
	return mux
}

// endpoint is one row of the banner and the index page.
type endpoint struct{ Name, Method, URL string }

func (s *server) endpoints() []endpoint {
	return []endpoint{
		{"authorization", "GET", s.p.AuthURL()},
		{"token", "POST", s.p.TokenURL()},
		{"revocation", "POST", s.p.RevokeURL()},
		{"user API", "GET", s.p.APIBaseURL() + "me"},
		{"metadata", "GET", s.URL + "/.well-known/oauth-authorization-server"},
	}
}

// redirectRule describes which redirect URIs the client may use.
func (s *server) redirectRule() string {
	if len(s.cfg.redirectURIs) == 0 {
		return "any http URI on localhost, 127.0.0.1 or [::1] (any port)"
	}
	return strings.Join(s.cfg.redirectURIs, ", ") + " (exact match)"
}

// printBanner writes the endpoints and the registered client.
func (s *server) printBanner(w io.Writer) {
	fmt.Fprintf(w, "gintest fake OAuth 2.0 provider on %s (sign in with any name; Ctrl-C stops it)\n", s.URL)
	if !isLoopback(s.URL) {
		fmt.Fprintln(w, "WARNING: not a loopback address. Anyone who reaches it can sign in as anybody.")
	}
	for _, e := range s.endpoints() {
		fmt.Fprintf(w, "  %-14s %-4s %s\n", e.Name, e.Method, e.URL)
	}
	secret := s.cfg.clientSecret
	if secret == "" {
		secret = "(none: public client, PKCE only)"
	}
	fmt.Fprintf(w, "client\n  %-14s %s\n  %-14s %s\n  %-14s %s\n", "client_id", s.cfg.clientID, "client_secret", secret, "redirect URIs", s.redirectRule())
	fmt.Fprintf(w, "tokens\n  %-14s %v\n  %-14s %v\n", "access tokens", s.cfg.tokenLifetime, "rotation", s.cfg.rotate)
}

func isLoopback(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

// metadata serves the RFC 8414 authorization server metadata, so that
// clients that discover endpoints find them.
func (s *server) metadata(w http.ResponseWriter, r *http.Request) {
	auth := []string{"client_secret_basic", "client_secret_post"}
	if s.cfg.clientSecret == "" {
		auth = []string{"none"}
	}
	grants := []string{"authorization_code", "refresh_token"}
	if s.cfg.clientSecret != "" {
		grants = append(grants, "client_credentials")
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"issuer":                                         s.URL,
		"authorization_endpoint":                         s.p.AuthURL(),
		"token_endpoint":                                 s.p.TokenURL(),
		"revocation_endpoint":                            s.p.RevokeURL(),
		"response_types_supported":                       []string{"code"},
		"grant_types_supported":                          grants,
		"code_challenge_methods_supported":               []string{"S256"},
		"token_endpoint_auth_methods_supported":          auth,
		"revocation_endpoint_auth_methods_supported":     auth,
		"authorization_response_iss_parameter_supported": true,
	})
}

// indexData fills the index page.
type indexData struct {
	URL          string
	Endpoints    []endpoint
	ClientID     string
	ClientSecret string
	Redirects    string
	Lifetime     time.Duration
	Rotate       bool
	TryURL       string // an authorization URL with a fresh PKCE challenge
	TryRedirect  string
	Verifier     string
}

var indexTemplate = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gintest fake OAuth 2.0 provider</title>
<style>
body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse}td,th{text-align:left;padding:.2rem .8rem .2rem 0;vertical-align:top}
code,pre{font-size:.9em}pre{background:#f4f4f4;padding:.6rem;overflow-x:auto}
.warn{color:#a00}
</style>
</head>
<body>
<main>
<h1>gintest fake OAuth 2.0 provider</h1>
<p class="warn">A development fixture: any name signs in and nothing is kept after it stops. Never use it for real users.</p>
<h2>Endpoints</h2>
<table id="endpoints">
{{range .Endpoints}}<tr><th>{{.Name}}</th><td>{{.Method}}</td><td><code>{{.URL}}</code></td></tr>
{{end}}</table>
<p>Authorization code flow with PKCE (<code>S256</code> required), and the <code>refresh_token</code> and
<code>client_credentials</code> grants at the token endpoint. Access tokens go in the
<code>Authorization: Bearer</code> header.</p>
<h2>Registered client</h2>
<table id="client">
<tr><th>client_id</th><td><code id="client-id">{{.ClientID}}</code></td></tr>
<tr><th>client_secret</th><td>{{if .ClientSecret}}<code id="client-secret">{{.ClientSecret}}</code>{{else}}none: a public client, PKCE only{{end}}</td></tr>
<tr><th>redirect URIs</th><td id="redirect-uris">{{.Redirects}}</td></tr>
<tr><th>access tokens</th><td>live {{.Lifetime}}</td></tr>
<tr><th>refresh tokens</th><td>{{if .Rotate}}rotate on every refresh; reusing an old one revokes the login{{else}}do not rotate{{end}}</td></tr>
</table>
<h2>Try it</h2>
<p>Open <a id="try" href="{{.TryURL}}">this authorization URL</a> and sign in with any name. The provider sends
you to <code>{{.TryRedirect}}</code>; copy the <code>code</code> from the address bar (nothing needs to listen
there) and exchange it within 60 seconds with this page's PKCE verifier:</p>
<pre id="try-exchange">curl -s {{if .ClientSecret}}-u '{{.ClientID}}:{{.ClientSecret}}'{{else}}-d client_id={{.ClientID}}{{end}} {{(index .Endpoints 1).URL}} \
  -d grant_type=authorization_code -d code=PASTE_THE_CODE \
  --data-urlencode 'redirect_uri={{.TryRedirect}}' -d code_verifier={{.Verifier}}</pre>
</main>
</body>
</html>
`))

// index shows the endpoints, the registered client and a ready-made
// authorization URL with a fresh PKCE pair.
func (s *server) index(w http.ResponseWriter, r *http.Request) {
	redirect := "http://localhost:8080/callback"
	if len(s.cfg.redirectURIs) > 0 {
		redirect = s.cfg.redirectURIs[0]
	}
	verifier := randomString()
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {s.cfg.clientID},
		"redirect_uri":          {redirect},
		"scope":                 {"profile"},
		"state":                 {randomString()},
		"code_challenge":        {challenge(verifier)},
		"code_challenge_method": {"S256"},
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store") // the page carries a PKCE verifier
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	indexTemplate.Execute(w, indexData{
		URL: s.URL, Endpoints: s.endpoints(),
		ClientID: s.cfg.clientID, ClientSecret: s.cfg.clientSecret, Redirects: s.redirectRule(),
		Lifetime: s.cfg.tokenLifetime, Rotate: s.cfg.rotate,
		TryURL: s.p.AuthURL() + "?" + q.Encode(), TryRedirect: redirect, Verifier: verifier,
	})
}

// randomString returns 32 random bytes, base64url without padding: 43
// characters, a valid PKCE code_verifier (RFC 7636 §4.1).
func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// challenge is the S256 code_challenge of verifier (RFC 7636 §4.2).
func challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
