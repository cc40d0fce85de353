// Package blueprint is the core of gindance: the OAuth dance for Gin.
//
// A Blueprint is one identity provider mounted on a Gin router group. Mount
// serves two routes:
//
//	GET /<name>             start a login: state, PKCE, redirect to the provider
//	GET /<name>/authorized  the provider's callback: check state, exchange the code, store the token
//
// and, with OAuth2Config.FormPost (response_mode=form_post), the callback as
// POST /<name>/authorized too.
//
// Handlers then call b.Client(c) for an *http.Client-like value that signs
// requests with the user's token, refreshes it once however many requests race,
// and refuses to send it to any host it was not issued for. Its HTTPClient
// is a standard *http.Client doing the same, for API client libraries
// (go-github, google.golang.org/api); TokenSource hands the access token to
// libraries that take an oauth2.TokenSource. Outside a request, ClientFor
// and TokenSourceFor reach a user's token by user key in a server-side
// store (a UserStorage), on the same single refresh. An API's 401
// invalid_token is answered with one refresh and one more try
// (Options.DisableRefreshOn401 turns it off).
//
// A started login (state, PKCE verifier, redirect URI, next path) waits in
// a sealed cookie of its own, scoped to the blueprint's path: logins from
// several tabs cannot overwrite each other, and the session is touched only
// to store the token. The cookie's AES-256-GCM key is derived (Argon2id,
// once per blueprint) from the client's secret, which every replica
// shares and which must be at least 16 bytes long, unless
// Options.LoginCookieKey pins one; Options.PendingLoginsInSession keeps
// pending logins in the user's session instead. A client with no secret
// chooses one of the two; Validate refuses it otherwise. Tokens are kept by a Storage:
// the session by default (SessionStorage), or a server-side store
// (storage/sqlstore, storage/redisstore) set with SetStorage.
//
// # Registrations
//
// Registration methods are called before serving. Those named for an event
// add a hook: every hook runs, in the order added (a provider package's
// first), and nil panics. The others supply the one implementation of
// something: a later call replaces an earlier one, and nil restores the
// default.
//
//	method          kind     runs                                      default
//	BeforeLogin     adds     at a login's start, until one aborts      none
//	                         or writes a response
//	OnLogin         adds     before the token is stored, until one     none
//	                         errs or writes (ErrSkipStore: not stored)
//	OnError         adds     at each failure, until one writes or      DefaultErrorHandler
//	                         aborts; if none wrote, the default        (and a log line)
//	SetStorage      replaces where tokens are kept                     SessionStorage
//	TokenGetter     replaces the storage's Get (TokenSetter: Set,      the Storage's
//	                         TokenDeleter: Delete)
//	IdentityGetter  replaces how Identity learns who the user is       the provider package's
//
// Configuration mistakes stop the app at startup: Validate reports a name
// other than letters, digits, '-' and '_', a missing client ID or
// endpoint, an unparsable URL, pending logins with nowhere to wait (a bad
// LoginCookieKey, one together with PendingLoginsInSession, a missing or
// short secret for the derived key) as an error wrapping ErrConfig, and Mount panics with it, and also with
// an absolute RedirectURL whose path is not the callback route it serves
// (Options.SkipRedirectPathCheck is for proxies that rewrite paths).
//
// Security defaults: PKCE S256 on, state single-use and bound to the browser
// (its sealed login cookie or its session), at most a few pending logins per
// browser, safe same-site next paths only, Referrer-Policy: no-referrer and
// Cache-Control: no-store on callbacks, tokens never in URLs or logs.
//
// For servers that ask more of a client (FAPI 2.0, RFC 9700), Options
// switch on private_key_jwt client authentication with ClientKeys and
// JWKSHandler, pushed authorization requests (Options.PushAuthorizationRequests)
// and DPoP-bound tokens (Options.DPoP); client assertions and DPoP proofs are
// added to x/oauth2's token requests.
//
// The guides in the repository's docs directory walk through the whole flow
// (docs/flow.md), sessions and pending logins, storage, OpenID Connect and
// FAPI 2.0-style clients.
package blueprint
