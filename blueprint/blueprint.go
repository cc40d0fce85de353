package blueprint

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// Blueprint is one identity provider mounted on a Gin router: its two routes,
// its hooks, its token storage and the authenticated client it hands out.
// Create it with NewOAuth2 or NewOAuth1 (or a provider package), register
// hooks, then Mount it; a Blueprint is safe for concurrent use once serving.
// The registration methods (SetStorage, OnLogin, ...) are not: call them
// before serving; the package documentation's table says which add a hook
// and which replace.
type Blueprint struct {
	name  string
	proto protocol
	set   settings

	storage     Storage
	getter      func(c *gin.Context) (*Token, error)
	setter      func(c *gin.Context, tok *Token) error
	deleter     func(c *gin.Context) error
	beforeLogin []func(c *gin.Context)
	onLogin     []func(c *gin.Context, tok *Token) error
	onError     []func(c *gin.Context, err error)
	identity    func(c *gin.Context, cl *Client) (*Identity, error)

	pending                 pendingLogins
	pendingErr              error  // why pending logins have nowhere to wait; Validate reports it
	loginPath, callbackPath string // set by Mount
	cookiePath              string // set by Mount: where pending-login cookies are scoped
	refresh                 refresher
	used                    usedLogins // pending logins already taken, in this process
	resolved                resolvedPaths
	ctxKey                  requestKey
}

// settings are the normalised, protocol-independent parts of a config,
// computed once at construction.
type settings struct {
	redirectURL, redirectTo string
	apiBase                 *url.URL
	origins                 originSet    // the host guard: where the token may go
	api                     *http.Client // API calls, with the redirect guard
	provider                *http.Client // token, request-token and revocation calls
	timeout, leeway         time.Duration
	loginTTL                time.Duration
	maxPending              int
	sessionName             string
	keepSessionID           bool
	logger                  *slog.Logger
	now                     func() time.Time // Options.Now, never nil
	skipRedirectPathCheck   bool
	noRefreshOn401          bool // Options.DisableRefreshOn401
	configErr               error
}

// protocol is what differs between OAuth 2.0 and OAuth 1.0a; the rest of the
// flow (transactions, hooks, storage, refresh coordination, the client) is
// shared.
type protocol interface {
	// begin fills tx for a new login and returns the provider URL to send
	// the browser to.
	begin(c *gin.Context, tx *transaction) (string, error)
	// callbackState returns the value that finds the login's transaction.
	callbackState(c *gin.Context) string
	// complete checks the callback against tx and obtains the token.
	complete(c *gin.Context, tx *transaction) (*Token, error)
	// refresh obtains a new token; nil, nil when the protocol cannot.
	refresh(ctx context.Context, tok *Token) (*Token, error)
	// sign adds the token to an outgoing API request.
	sign(req *http.Request, tok *Token) error
	// revoke revokes the token at the provider; nil when it cannot.
	revoke(ctx context.Context, tok *Token) error
	// validate reports a configuration error.
	validate() error
}

// requestKey is the blueprint's key for its per-request memo in gin.Context.
type requestKey struct{ b *Blueprint }

// requestState is what a blueprint remembers for the length of one request.
type requestState struct {
	loaded bool
	// refreshed: tok is what a refresh made or joined in this request gave,
	// not a remembered one (an API's 401 for it is not answered with
	// another refresh); beside loaded, in its padding
	refreshed bool
	tok       *Token
	err       error
	client    Client // the request's Client, valid when client.b is set
	identity  *Identity
	sign      signCtx // the request's context carrying tok, for the Client
}

// newBlueprint assembles a blueprint. o are the config's Options; secret
// and clientID are the client's credential and ID the default pending-login
// key is derived from (see pendingLoginsFor).
func newBlueprint(name string, s settings, p protocol, o Options, secret []byte, clientID string) *Blueprint {
	b := &Blueprint{name: name, set: s, proto: p, storage: SessionStorage{SessionName: s.sessionName}}
	b.ctxKey = requestKey{b}
	b.pending = sessionLogins{b}
	if !validName(name) && b.set.configErr == nil {
		b.set.configErr = fmt.Errorf("%w: %q: a blueprint name may hold only letters, digits, '-' and '_' "+
			"(it is a path segment, a storage key and part of cookie names)", ErrConfig, name)
	}
	if pl, err := pendingLoginsFor(b, o, secret, clientID); err == nil {
		b.pending = pl
	} else {
		b.pendingErr = err
	}
	if st, ok := s.api.Transport.(*signingTransport); ok {
		st.proto = p
	}
	b.refresh.init(DefaultRecentRefreshTTL)
	b.used.init(s.loginTTL)
	return b
}

// commonSettings normalises the fields OAuth 2.0 and 1.0a configs share,
// filling in defaults.
func commonSettings(apiBase, redirectURL, redirectTo string, o Options) settings {
	allowed, hc := o.AllowedHosts, o.HTTPClient
	s := settings{
		redirectURL: redirectURL, redirectTo: redirectTo,
		origins: make(originSet), timeout: DefaultProviderTimeout,
		leeway: DefaultRefreshLeeway, loginTTL: DefaultLoginTTL, maxPending: DefaultMaxPendingLogins,
		sessionName: o.SessionName, logger: o.Logger, skipRedirectPathCheck: o.SkipRedirectPathCheck,
		keepSessionID: o.InsecureKeepSessionID, now: o.Now, noRefreshOn401: o.DisableRefreshOn401,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if o.ProviderTimeout > 0 {
		s.timeout = o.ProviderTimeout
	}
	if o.RefreshLeeway > 0 {
		s.leeway = o.RefreshLeeway
	}
	if o.LoginTTL > 0 {
		s.loginTTL = o.LoginTTL
	}
	if o.MaxPendingLogins > 0 {
		s.maxPending = o.MaxPendingLogins
	}
	if s.redirectTo == "" {
		s.redirectTo = "/"
	}
	if apiBase != "" {
		u, err := s.origins.add(apiBase)
		if err != nil {
			s.configErr = fmt.Errorf("%w: APIBaseURL %q %v", ErrConfig, apiBase, err)
		} else {
			// A base with a path names a directory: "https://api.example/v1"
			// is read as ".../v1/", so that "me" resolves to /v1/me
			// rather than replacing v1 (RFC 3986 §5.2.3).
			if !strings.HasSuffix(u.Path, "/") {
				u.Path += "/"
				if u.RawPath != "" {
					u.RawPath += "/"
				}
			}
			s.apiBase = u
		}
	}
	for _, a := range allowed {
		if _, err := s.origins.add(a); err != nil {
			s.configErr = fmt.Errorf("%w: allowed host %q %v", ErrConfig, a, err)
		}
	}
	if hc == nil {
		hc = &http.Client{}
	}
	api := *hc
	api.Timeout = apiTimeout(o, s.timeout)
	api.CheckRedirect = s.origins.apiRedirect(api.CheckRedirect)
	base := api.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	api.Transport = &signingTransport{base: base}
	s.api = &api
	// The token, revocation and PAR endpoints get codes, PKCE verifiers,
	// refresh tokens and client secrets in the request body, which a 307/308
	// would re-post to wherever it points: follow redirects on the same
	// origin only.
	prov := *hc
	prov.CheckRedirect = providerRedirect(prov.CheckRedirect)
	s.provider = &prov
	return s
}

// log is the blueprint's logger: Options.Logger, or slog.Default() at the
// time of the call when that is nil (so that an app's later
// slog.SetDefault is followed).
func (s *settings) log() *slog.Logger {
	if s.logger != nil {
		return s.logger
	}
	return slog.Default()
}

// apiTimeout is the Timeout of the client that makes API calls through
// Client: APITimeout when set, else the app's HTTPClient's own, else
// providerTimeout, so that no API call goes unbounded unless the app
// brings a client without one.
func apiTimeout(o Options, providerTimeout time.Duration) time.Duration {
	switch {
	case o.APITimeout > 0:
		return o.APITimeout
	case o.HTTPClient != nil:
		return o.HTTPClient.Timeout
	}
	return providerTimeout
}

// Name returns the blueprint's name: the path segment it is mounted under and
// the key its tokens are stored by.
func (b *Blueprint) Name() string { return b.name }

// Validate reports a configuration error (a bad name, a missing client ID,
// endpoint or an unparsable URL, no way to keep pending logins); Mount
// panics with it.
func (b *Blueprint) Validate() error {
	if b.set.configErr != nil {
		return b.set.configErr
	}
	if err := b.validateLease(); err != nil {
		return err
	}
	if err := b.proto.validate(); err != nil {
		return err
	}
	return b.pendingErr
}

// Mount serves the blueprint's routes on r: GET /<name> starts a login and
// GET /<name>/authorized is the provider's callback (also POST with
// OAuth2Config.FormPost). It panics when the
// configuration is invalid (see Validate), or when an absolute RedirectURL
// has another path than the callback route it serves (the provider's
// redirect would end in the app's 404; Options.SkipRedirectPathCheck is for
// proxies that rewrite paths), as Gin does for bad routes, so that a
// misconfigured app stops at start-up rather than at a user's login. The
// panic value is an error wrapping ErrConfig.
func (b *Blueprint) Mount(r gin.IRoutes) {
	base := "/"
	if g, ok := r.(interface{ BasePath() string }); ok {
		base = g.BasePath()
	}
	loginPath := strings.TrimSuffix(base, "/") + "/" + b.name
	err := b.Validate()
	if err == nil && !b.set.skipRedirectPathCheck {
		err = checkRedirectPath(b.name, b.set.redirectURL, loginPath+"/authorized")
	}
	if err != nil {
		panic(fmt.Errorf("gindance: cannot mount %q: %w", b.name, err))
	}
	b.loginPath = loginPath
	b.callbackPath = b.loginPath + "/authorized"
	b.cookiePath = loginCookiePath(b.set.redirectURL, b.loginPath)
	r.GET("/"+b.name, b.handleLogin)
	r.GET("/"+b.name+"/authorized", b.handleCallback)
	if b.formPost() {
		r.POST("/"+b.name+"/authorized", b.handleFormPost)
	}
}

// checkRedirectPath reports an absolute redirectURL whose path is not
// callback, the route Mount serves.
func checkRedirectPath(name, redirectURL, callback string) error {
	if redirectURL == "" {
		return nil
	}
	u, err := url.Parse(redirectURL)
	if err != nil || !u.IsAbs() {
		return fmt.Errorf("%w: %s: RedirectURL %q is not an absolute URL", ErrConfig, name, redirectURL)
	}
	if u.Path == callback {
		return nil
	}
	return fmt.Errorf("%w: %s: RedirectURL %q has the path %q, but the callback is served at %q: "+
		"make RedirectURL end in %s or mount on the matching group (behind a proxy that rewrites paths, set Options.SkipRedirectPathCheck)",
		ErrConfig, name, redirectURL, u.Path, callback, callback)
}

// LoginURL returns the path that starts a login (after Mount), e.g.
// "/login/github".
func (b *Blueprint) LoginURL() string { return b.loginPath }

// state returns the per-request memo, creating it.
func (b *Blueprint) state(c *gin.Context) *requestState {
	if v, ok := c.Get(b.ctxKey); ok {
		return v.(*requestState)
	}
	st := &requestState{}
	c.Set(b.ctxKey, st)
	return st
}

// SetStorage replaces where tokens are kept; nil restores the default, the
// session (SessionStorage).
func (b *Blueprint) SetStorage(s Storage) {
	if s == nil {
		s = SessionStorage{SessionName: b.set.sessionName}
	}
	b.storage = s
}

// Storage returns where tokens are kept.
func (b *Blueprint) Storage() Storage { return b.storage }

// TokenGetter replaces the storage's Get for this blueprint; nil restores
// it.
func (b *Blueprint) TokenGetter(fn func(c *gin.Context) (*Token, error)) { b.getter = fn }

// TokenSetter replaces the storage's Set for this blueprint; nil restores
// it.
func (b *Blueprint) TokenSetter(fn func(c *gin.Context, tok *Token) error) { b.setter = fn }

// TokenDeleter replaces the storage's Delete for this blueprint; nil
// restores it.
func (b *Blueprint) TokenDeleter(fn func(c *gin.Context) error) { b.deleter = fn }

// BeforeLogin adds a hook that runs when a login starts, before the
// redirect to the provider. Hooks run in the order added; one that aborts
// the request or writes a response stops the login.
func (b *Blueprint) BeforeLogin(fn func(c *gin.Context)) {
	if fn == nil {
		panic(nilHook(b, "BeforeLogin"))
	}
	b.beforeLogin = append(b.beforeLogin, fn)
}

// OnLogin adds a hook that runs after the provider granted a token and
// before it is stored: find or create the app's user here. Returning
// ErrSkipStore finishes the login without storing the token; any other error
// ends it through OnError with nothing stored. A hook may write its own
// response (a redirect to a sign-up page, say); the blueprint then does not
// redirect. Hooks run in the order added (a provider package's first).
func (b *Blueprint) OnLogin(fn func(c *gin.Context, tok *Token) error) {
	if fn == nil {
		panic(nilHook(b, "OnLogin"))
	}
	b.onLogin = append(b.onLogin, fn)
}

// OnError adds a hook that every failed login, callback and refresh in
// Require ends in. Hooks run in the order added until one writes a response
// (or aborts the request); when none does, DefaultErrorHandler answers and
// the failure is logged, as without hooks.
func (b *Blueprint) OnError(fn func(c *gin.Context, err error)) {
	if fn == nil {
		panic(nilHook(b, "OnError"))
	}
	b.onError = append(b.onError, fn)
}

// nilHook is the panic value of a hook added as nil: a programming error,
// found where it is registered rather than at a login.
func nilHook(b *Blueprint, method string) string {
	return "gindance: " + b.name + ": " + method + "(nil)"
}

// getToken loads the stored token through the getter or the storage.
func (b *Blueprint) getToken(c *gin.Context) (*Token, error) {
	if b.getter != nil {
		return b.getter(c)
	}
	return b.storage.Get(c, b.name)
}

// setToken stores the token through the setter or the storage and makes it
// the request's token.
func (b *Blueprint) setToken(c *gin.Context, tok *Token) error {
	if err := b.putToken(c, tok); err != nil {
		return err
	}
	st := b.state(c)
	st.loaded, st.tok, st.err = true, tok, nil
	return nil
}

// putToken stores the token through the setter or the storage.
func (b *Blueprint) putToken(c *gin.Context, tok *Token) error {
	if b.setter != nil {
		return b.setter(c, tok)
	}
	return b.storage.Set(c, b.name, tok)
}

// deleteToken forgets the token through the deleter or the storage.
func (b *Blueprint) deleteToken(c *gin.Context) error {
	if err := b.dropToken(c); err != nil {
		return err
	}
	st := b.state(c)
	st.loaded, st.tok, st.err, st.identity = true, nil, nil, nil
	return nil
}

// dropToken forgets the token through the deleter or the storage.
func (b *Blueprint) dropToken(c *gin.Context) error {
	if b.deleter != nil {
		return b.deleter(c)
	}
	return b.storage.Delete(c, b.name)
}

// Token returns the logged-in user's token, refreshed first when it expires
// within the refresh leeway. It returns nil, nil when the user is not logged
// in, and an error wrapping ErrNotAuthorized when the token expired and cannot
// be refreshed. The result is remembered for the rest of the request.
func (b *Blueprint) Token(c *gin.Context) (*Token, error) {
	return b.token(c, b.state(c))
}

// token is Token with the request's memo at hand (the Client keeps it, which
// saves looking it up again in gin's Keys).
func (b *Blueprint) token(c *gin.Context, st *requestState) (*Token, error) {
	if st.loaded {
		return st.tok, st.err
	}
	tok, err := b.getToken(c)
	if err == nil && tok != nil && tok.Expired(b.set.now(), b.set.leeway) {
		tok, st.refreshed, err = b.replaceToken(requestOwner(c), tok)
	}
	st.loaded, st.tok, st.err = true, tok, err
	st.sign.init(c.Request.Context(), tok)
	return tok, err
}

// Authorized reports whether the request has a usable token.
func (b *Blueprint) Authorized(c *gin.Context) bool {
	tok, err := b.Token(c)
	return err == nil && tok != nil
}

// Logout forgets the user's token and, where the provider has a revocation
// endpoint, revokes it there. The token is forgotten even when revocation
// fails; the returned error then wraps ErrRevoke.
func (b *Blueprint) Logout(c *gin.Context) error {
	tok, _ := b.getToken(c)
	if err := b.deleteToken(c); err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), b.set.timeout)
	defer cancel()
	if err := b.proto.revoke(ctx, tok); err != nil {
		return fmt.Errorf("%w: %w", ErrRevoke, err)
	}
	return nil
}
