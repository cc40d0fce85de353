package gintest

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultClientID and DefaultClientSecret are the credentials of the one
// client a Provider registers when Options.Clients is empty.
const (
	DefaultClientID     = "gintest-client"
	DefaultClientSecret = "gintest-client-secret"
)

// DefaultTokenLifetime is the access token lifetime used when
// Options.TokenLifetime is zero.
const DefaultTokenLifetime = time.Hour

// codeLifetime is how long an authorization code can be exchanged.
const codeLifetime = 60 * time.Second

// User is an account of the fake provider. ID is the subject: it is what
// /api/me reports as "id" and what IssueToken takes.
type User struct {
	ID            string
	Login         string
	Name          string
	Email         string
	EmailVerified bool
	AvatarURL     string
}

// Client is an OAuth client registered with the Provider.
//
// An empty Secret makes a public client (RFC 6749 §2.1): it identifies
// itself with client_id alone and must use PKCE. An empty RedirectURIs
// accepts any http redirect URI on a loopback host (localhost, 127.0.0.1 or
// [::1], any port, RFC 8252 §7.3); otherwise redirect_uri must equal one of
// RedirectURIs exactly (RFC 9700 §4.1.3).
type Client struct {
	ID           string
	Secret       string
	RedirectURIs []string

	// JWKSURL is where the client publishes its public keys (see
	// blueprint.JWKSHandler), for private_key_jwt client authentication
	// (RFC 7523 §2.2): the provider fetches it for every assertion, so a
	// key rotation shows at once.
	JWKSURL string
	// AuthMethod, when set, is the only client authentication the client
	// may use at /token, /par and /revoke, by its RFC 7591 name:
	// "client_secret_basic", "client_secret_post", "private_key_jwt",
	// "client_secret_jwt" or "none". Empty: whichever the client can do
	// (a secret, an assertion MACed with the secret, or one signed by a
	// key at JWKSURL).
	AuthMethod string
}

// Options configure a Provider. The zero value is usable: one client with
// DefaultClientID and DefaultClientSecret, interactive sign-in, one-hour
// tokens, no rotation, PKCE required.
type Options struct {
	// Clients are the registered clients. Empty: one client with
	// DefaultClientID, DefaultClientSecret and any loopback redirect URI.
	Clients []Client

	// User, when set, approves every authorization as this user without
	// showing a page, which is what automated tests want. Nil: /authorize
	// shows an HTML sign-in form where any name signs in: "Ada Lovelace"
	// signs in with name "Ada Lovelace", login "ada.lovelace" (lower case;
	// letters, digits, '-', '_' and '.' kept, other runs one dot), user ID
	// "user-ada.lovelace" and email "ada.lovelace@example.test". The
	// form has a CSRF double-submit token but checks no password: it is a
	// test fixture, not for production. Its fields are input[name=name],
	// button[value=approve] and button[value=deny], for headless browsers.
	User *User

	// TokenLifetime is the access token lifetime. Zero: DefaultTokenLifetime.
	TokenLifetime time.Duration

	// RotateRefreshTokens makes every refresh_token grant return a new
	// refresh token and invalidate the one presented (RFC 9700 §4.14.2).
	RotateRefreshTokens bool

	// DetectRefreshReuse, with RotateRefreshTokens, treats a refresh token
	// presented after it was already exchanged as stolen: the whole token
	// family (every access and refresh token of that authorization) is
	// revoked, and every later use answers invalid_grant.
	DetectRefreshReuse bool

	// AllowMissingPKCE lets /authorize accept requests without
	// code_challenge, and with code_challenge_method=plain. By default
	// only S256 is accepted and a missing challenge is refused with
	// error=invalid_request (RFC 9700 §2.1.1).
	AllowMissingPKCE bool

	// Scopes are granted when a request names none.
	Scopes []string

	// TokenQuirks make /token behave like providers that depart from
	// RFC 6749 (Basic-only client auth, JSON requests, extra response
	// fields); see TokenQuirks.
	TokenQuirks TokenQuirks

	// Now is the provider's clock, for testing expiry. Nil: time.Now.
	Now func() time.Time

	// RequirePAR refuses authorization requests that do not come by a
	// request_uri from POST /par (RFC 9126 §5,
	// require_pushed_authorization_requests), with the error page.
	RequirePAR bool

	// RequireDPoP refuses token requests without a DPoP proof (RFC 9449
	// §5). Proofs are verified whenever sent (§4.3): signature with the
	// embedded jwk, typ, htm, htu, iat within a minute, ath at the API,
	// and each jti once (replay detection); a token request with one gets
	// token_type DPoP, and its access and refresh tokens are bound to the
	// key: the API refuses such a token presented as Bearer (§7.2) or with
	// a proof by another key, and a refresh must prove the same key.
	RequireDPoP bool
	// DPoPNonce makes /token and /api/me demand a server nonce in proofs
	// (RFC 9449 §8, §9): a proof without a valid one is answered
	// use_dpop_nonce with a DPoP-Nonce header. The authorization server
	// (/token) and the resource server (the API) keep nonces of their own,
	// though on one origin: a nonce from one is refused at the other.
	DPoPNonce bool
}

// Endpoint names an endpoint of the Provider for Calls.
type Endpoint int

// The endpoints counted by Calls.
const (
	EndpointAuthorize Endpoint = iota // GET and POST /authorize
	EndpointToken                     // every POST /token, whatever the grant type
	EndpointRefresh                   // POST /token with grant_type=refresh_token only
	EndpointAPI                       // GET /api/me
	EndpointRevoke                    // POST /revoke
	EndpointPAR                       // POST /par
	numEndpoints
)

// String returns the endpoint's name, such as "token".
func (e Endpoint) String() string {
	switch e {
	case EndpointAuthorize:
		return "authorize"
	case EndpointToken:
		return "token"
	case EndpointRefresh:
		return "refresh"
	case EndpointAPI:
		return "api"
	case EndpointRevoke:
		return "revoke"
	case EndpointPAR:
		return "par"
	}
	return "unknown"
}

// Provider is a fake OAuth 2.0 authorization server and user API. It is an
// http.Handler; all its methods are safe for concurrent use.
type Provider struct {
	server
	opts    Options
	clients map[string]Client
	mux     *http.ServeMux
	calls   [numEndpoints]atomic.Int64
	failure atomic.Pointer[Failure]
	reuses  atomic.Int64

	mu     sync.Mutex
	user   *User
	codes  map[string]*authCode
	tokens map[string]*token
	jtis   map[string]time.Time // client assertion jti -> when it may be forgotten
	pushed map[string]*pushedRequest

	dpopNonces map[string]time.Time // DPoP nonces issued -> expiry
}

// NewProvider returns a Provider that is not listening anywhere: mount it
// on a server of your own and tell it its address with SetBaseURL, or call
// ServeHTTP directly. Options are copied.
func NewProvider(opts Options) *Provider {
	if len(opts.Clients) == 0 {
		opts.Clients = []Client{{ID: DefaultClientID, Secret: DefaultClientSecret}}
	}
	if opts.TokenLifetime == 0 {
		opts.TokenLifetime = DefaultTokenLifetime
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Scopes = append([]string(nil), opts.Scopes...)
	p := &Provider{
		opts:    opts,
		clients: make(map[string]Client, len(opts.Clients)),
		codes:   make(map[string]*authCode),
		tokens:  make(map[string]*token),
		jtis:    make(map[string]time.Time),
		pushed:  make(map[string]*pushedRequest),

		dpopNonces: make(map[string]time.Time),
	}
	for _, c := range opts.Clients {
		c.RedirectURIs = append([]string(nil), c.RedirectURIs...)
		p.clients[c.ID] = c
	}
	p.user = copyUser(opts.User)
	p.opts.User = nil // the current user lives in p.user
	p.mux = http.NewServeMux()
	p.mux.HandleFunc("GET /{$}", p.handleHome)
	p.mux.HandleFunc("GET /authorize", p.handleAuthorize)
	p.mux.HandleFunc("POST /authorize", p.handleAuthorize)
	p.mux.HandleFunc("POST /token", p.handleToken)
	p.mux.HandleFunc("GET /api/me", p.handleAPIMe)
	p.mux.HandleFunc("POST /revoke", p.handleRevoke)
	p.mux.HandleFunc("POST /par", p.handlePAR)
	return p
}

// StartProvider returns a Provider already serving on a new
// httptest.Server on 127.0.0.1. Call Close when done.
func StartProvider(opts Options) *Provider {
	p := NewProvider(opts)
	p.start(p)
	return p
}

// ServeHTTP serves the provider's endpoints: GET and POST /authorize,
// POST /token, GET /api/me, POST /revoke and POST /par, and at GET / a page
// that says what the provider is and lists them.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mux.ServeHTTP(w, r)
}

// AuthURL returns the authorization endpoint, URL()+"/authorize".
func (p *Provider) AuthURL() string { return p.URL() + "/authorize" }

// TokenURL returns the token endpoint, URL()+"/token".
func (p *Provider) TokenURL() string { return p.URL() + "/token" }

// RevokeURL returns the RFC 7009 revocation endpoint, URL()+"/revoke".
func (p *Provider) RevokeURL() string { return p.URL() + "/revoke" }

// APIBaseURL returns the base of the user API, URL()+"/api/"; the current
// user is at APIBaseURL()+"me".
func (p *Provider) APIBaseURL() string { return p.URL() + "/api/" }

// SetUser changes the user that authorizations are approved as from now
// on. Nil switches to the interactive sign-in form. The User is copied.
func (p *Provider) SetUser(u *User) {
	u = copyUser(u)
	p.mu.Lock()
	p.user = u
	p.mu.Unlock()
}

func (p *Provider) currentUser() *User {
	p.mu.Lock()
	defer p.mu.Unlock()
	return copyUser(p.user)
}

// Calls returns how many requests the endpoint has served since the
// Provider was made or ResetCalls was called. Requests refused by a
// failure knob count too.
func (p *Provider) Calls(e Endpoint) int {
	if e < 0 || e >= numEndpoints {
		return 0
	}
	return int(p.calls[e].Load())
}

// ResetCalls sets every counter of Calls to zero.
func (p *Provider) ResetCalls() {
	for i := range p.calls {
		p.calls[i].Store(0)
	}
}

// RefreshReuses returns how many refresh_token grants presented a refresh
// token that rotation had already exchanged (RotateRefreshTokens): each is
// a refresh done twice with the same refresh token, the double refresh a
// client's refresh coordination exists to prevent. ResetCalls does not
// reset it.
func (p *Provider) RefreshReuses() int { return int(p.reuses.Load()) }

func (p *Provider) count(e Endpoint) { p.calls[e].Add(1) }

func (p *Provider) now() time.Time { return p.opts.Now() }

func copyUser(u *User) *User {
	if u == nil {
		return nil
	}
	c := *u
	return &c
}
