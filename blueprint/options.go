package blueprint

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Options are the settings every blueprint shares, whatever its provider and
// protocol. OAuth2Config, OAuth1Config, providers/oidc's Config and every
// provider preset's Config embed them, so a setting added here reaches all of
// them at once:
//
//	gh := github.New(github.Config{
//		Scopes:  []string{"user:email"},
//		Options: blueprint.Options{ProviderTimeout: 5 * time.Second, Logger: logger},
//	})
//
// Their fields are promoted, so cfg.Logger reads and sets Options.Logger.
type Options struct {
	// AllowedHosts are further origins ("https://uploads.example.com") the
	// token may be sent to besides APIBaseURL's. Scheme, host and port are
	// compared as net/http dials them: an internationalised name may be
	// written in its normal form or as its xn-- form; a name net/http would
	// dial as one host and name as another (U+212A KELVIN SIGN, fullwidth
	// letters) is ErrConfig.
	AllowedHosts []string

	// HTTPClient makes the calls to the provider: the token, revocation
	// and PAR endpoints (each call bounded by ProviderTimeout as well as by
	// the client's own Timeout) and the API through Client (bounded by the
	// client's own Timeout, or by APITimeout when that is set). Its
	// Transport carries TLS settings, proxies, mTLS certificates. nil: a
	// client with http.DefaultTransport, API calls bounded by APITimeout.
	HTTPClient *http.Client
	// ProviderTimeout bounds each call to the token and revocation
	// endpoints, refresh included. Default 15 s.
	ProviderTimeout time.Duration
	// APITimeout bounds each API call made through Client (and so the
	// identity calls of presets, which run inside the login's callback):
	// from sending the request to reading the end of the answer's body,
	// as http.Client's Timeout does, so that an API that stalls or
	// trickles its answer cannot hold the request for ever. Default:
	// ProviderTimeout when HTTPClient is nil; with an HTTPClient, that
	// client's own Timeout, unless APITimeout is set, which then replaces
	// it for API calls. Raise it for large downloads through Client.
	APITimeout time.Duration
	// RefreshLeeway refreshes a token that expires within it. Default 60 s.
	// OAuth 2.0 only (OAuth 1.0a tokens do not expire): NewOAuth1 refuses it.
	RefreshLeeway time.Duration
	// LoginTTL is how long a started login may take. Default 10 minutes.
	LoginTTL time.Duration
	// MaxPendingLogins bounds the unfinished logins kept per browser and
	// blueprint (several tabs): pending-login cookies, or entries in the
	// session; the oldest is evicted first. Default 5. Pending-login
	// cookies are also kept within 3 KiB together, so logins with long
	// next paths may keep fewer.
	MaxPendingLogins int
	// SessionName selects the session when sessions.SessionsMany is used.
	SessionName string
	// LoginCookieKey is the AES-256 key (LoginCookieKeySize random bytes,
	// the same on every replica) that seals each pending login in a cookie
	// of its own. nil: the key is derived from the client's secret
	// (Argon2id, once per blueprint), which must then be at least 16 bytes.
	// Set it for a client without a readable secret (PublicClient, an
	// opaque ClientKeys signer), or so that rotating the secret does not
	// fail the logins pending at that moment. Not together with
	// PendingLoginsInSession.
	LoginCookieKey []byte
	// PendingLoginsInSession keeps pending logins in the user's
	// gin-contrib session instead of sealed cookies: no cookie besides the
	// session's, but a session write at every login start, logins started
	// at once in several tabs may overwrite each other, and with a cookie
	// session they share its 4096 bytes.
	PendingLoginsInSession bool
	// Now is the blueprint's clock: every decision about a token's expiry
	// (RefreshLeeway), the recent-refresh memory and refresh back-off, and
	// pending logins' lifetime (LoginTTL) reads it, and a refreshed or new
	// token's Expiry is Now plus the provider's expires_in. For tests that
	// drive time, or skew one replica's clock. nil: time.Now.
	Now func() time.Time
	// Logger receives one line per failed login or refresh, never with
	// tokens, codes or secrets. nil: slog.Default().
	Logger *slog.Logger

	// SkipRedirectPathCheck lets Mount accept an absolute RedirectURL whose
	// path is not the callback route it serves (/<group>/<name>/authorized).
	// Only for a proxy that rewrites the callback path on its way to the
	// app; otherwise such a RedirectURL ends every login in a 404.
	SkipRedirectPathCheck bool

	// InsecureKeepSessionID keeps the session's id across a login. By
	// default the callback of a successful login moves a server-side
	// session (gin-contrib/sessions' redis, postgres, memstore, ...: any
	// whose gorilla session has an ID) to a new id and deletes the old one,
	// so that a session id planted in the browser before the login does not
	// become the logged-in session (session fixation, CWE-384). Cookie
	// stores have no id and are not affected. Set it only when the app
	// rotates the id itself or keys other data by it.
	InsecureKeepSessionID bool

	// ClientKeys, when set, make the client authenticate with
	// private_key_jwt (RFC 7523 §2.2, OpenID Connect Core §9) at the token,
	// revocation and PAR endpoints, with no client secret: each request
	// carries a fresh assertion signed by the newest key. Publish their
	// public halves with JWKSHandler where the provider fetches them.
	// OAuth 2.0 only: NewOAuth1 refuses it (ErrConfig).
	ClientKeys []ClientKey
	// AssertionAudienceTokenURL makes the aud of every client assertion
	// (private_key_jwt, client_secret_jwt) the token endpoint's URL rather
	// than the issuer identifier, at the token, PAR and revocation
	// endpoints alike (RFC 7523 §3, OpenID Connect Core §9, RFC 9126 §2),
	// for servers that have not adopted the issuer as audience: Ory
	// Hydra 2.3 (fosite 0.49) accepts only its token endpoint URL. It is
	// for such a server, which has no preset, and is refused (ErrConfig)
	// when TokenAuth sends no assertion, and by NewOAuth1.
	AssertionAudienceTokenURL bool
	// PushAuthorizationRequests sends every login's authorization
	// parameters to the provider's PAR endpoint (RFC 9126), with the
	// client's authentication, and the browser to the authorization
	// endpoint with only client_id and request_uri: nothing of the request
	// can be read or altered in the browser. Providers that discover
	// require_pushed_authorization_requests get it without this. With no
	// PAR endpoint configured (OAuth2Config.PARURL) or discovered, logins
	// fail with ErrPARRequired, never falling back to the front channel.
	// OAuth 2.0 only: NewOAuth1 refuses it (ErrConfig).
	PushAuthorizationRequests bool
	// DPoP binds tokens to a key (RFC 9449): each login makes a fresh
	// P-256 key, kept with the token (Token.DPoPKey) in the Storage; every
	// token request and every Client call carries a fresh proof signed by
	// it, and API calls use the Authorization scheme DPoP. Server nonces
	// are retried once and remembered per origin, the token endpoint's
	// apart from the APIs' (RFC 9449 §8, §9). A token endpoint that
	// answers with a token_type other than DPoP fails the login
	// (ErrDPoPNotBound). With a cookie session the key travels in the
	// cookie: use an encrypting cookie store or a server-side Storage.
	// OAuth 2.0 only: NewOAuth1 refuses it (ErrConfig).
	DPoP bool
	// DisableRefreshOn401 turns off the refresh on an API's 401. By
	// default, when the API answers a call of Client (or of its
	// HTTPClient) with 401 and a challenge whose error is invalid_token
	// (RFC 6750 §3.1, Bearer; RFC 9449 §7.1, DPoP), for a token that has a
	// refresh token and was not just refreshed by that Client, the token
	// is refreshed through the same single refresh as an expiring one
	// (racing calls make one provider call) and the call is sent once more
	// when its body can be sent again (no body, or GetBody); a second 401
	// is returned as it is. It covers a token the provider revoked or
	// expired before its Expiry said (a replica whose clock is behind, a
	// provider that sends no expires_in). Set this when the API answers
	// 401 invalid_token for reasons a refresh cannot mend and every
	// refresh is costly. OAuth 2.0 only (an OAuth 1.0a blueprint refuses
	// it at Validate: its tokens are never refreshed).
	DisableRefreshOn401 bool

	// ClockSkew is how far the provider's clock may be off from this
	// server's when checking exp, iat and auth_time of id_tokens and
	// logout tokens (go-oidc applies its own five minutes to nbf).
	// Default DefaultClockSkew (5 s); a negative value is no allowance.
	// Only for blueprints that verify id_tokens (providers/oidc and its
	// presets): others refuse it (ErrConfig).
	ClockSkew time.Duration
}

// What a zero Options field takes.
const (
	// DefaultProviderTimeout is Options.ProviderTimeout's default.
	DefaultProviderTimeout = 15 * time.Second
	// DefaultRefreshLeeway is Options.RefreshLeeway's default.
	DefaultRefreshLeeway = 60 * time.Second
	// DefaultLoginTTL is Options.LoginTTL's default.
	DefaultLoginTTL = 10 * time.Minute
	// DefaultMaxPendingLogins is Options.MaxPendingLogins's default.
	DefaultMaxPendingLogins = 5
	// DefaultClockSkew is the clock difference allowed when
	// Options.ClockSkew is zero: real servers' clocks drift by a few
	// seconds.
	DefaultClockSkew = 5 * time.Second
)

// missingCredential returns the configuration error for the blueprint
// name's empty credential field ("OAuth2Config.ClientID", ...).
func missingCredential(name, field string) error {
	return fmt.Errorf("%w: %s: %s is empty: set it", ErrConfig, name, field)
}
