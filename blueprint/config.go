package blueprint

import (
	"context"
)

// TokenAuthMethod is how the client authenticates at the token endpoint
// (RFC 6749 §2.3.1).
type TokenAuthMethod int

const (
	// ClientSecretBasic sends client_id and client_secret with HTTP Basic
	// authentication. The default.
	ClientSecretBasic TokenAuthMethod = iota
	// ClientSecretPost sends them as form parameters of the request body.
	ClientSecretPost
	// PrivateKeyJWT sends a client assertion signed with the newest of
	// ClientKeys (RFC 7523 §2.2, OpenID Connect Core §9): no shared
	// secret. Its aud is the provider's issuer identifier when known
	// (Issuer or discovered), else the endpoint's URL.
	PrivateKeyJWT
	// ClientSecretJWT sends a client assertion MACed (HS256) with
	// ClientSecret, which itself is never sent (OpenID Connect Core §9).
	// The secret must be at least 32 bytes (RFC 7518 §3.2).
	ClientSecretJWT
)

// OAuth2Config configures an OAuth 2.0 blueprint. Provider packages fill in
// the endpoints; apps usually set only the client credentials and scopes.
type OAuth2Config struct {
	ClientID, ClientSecret string
	AuthURL, TokenURL      string
	Scopes                 []string
	APIBaseURL             string // relative paths of Client resolve against it, as a directory: ".../v1" is ".../v1/"
	RedirectURL            string // absolute callback URL; empty: derived from the request and the mount path
	RedirectTo             string // where the browser goes after login when no safe ?next= was given; default "/"

	// RevocationURL is the provider's RFC 7009 endpoint; when set, Logout
	// revokes the token there.
	RevocationURL string
	// PARURL is the provider's pushed authorization request endpoint
	// (RFC 9126), used when Options.PushAuthorizationRequests is on or the
	// provider requires it.
	PARURL string
	// AuthParams are added to every authorization URL (e.g. access_type=offline).
	AuthParams map[string]string
	// PublicClient declares a client without a ClientSecret: a public
	// client (RFC 6749 §2.1: a native or single-page app, protected by
	// PKCE alone), or one that authenticates with a TLS client certificate
	// in Options.HTTPClient (RFC 8705 tls_client_auth, with
	// ClientSecretPost). Without it, an empty ClientSecret and no
	// ClientKeys fail Validate: the provider would refuse the code
	// exchange (invalid_client) only after the user logged in. With no
	// secret to derive the pending-login key from, a public client sets
	// LoginCookieKey or PendingLoginsInSession too (Validate says so).
	PublicClient bool
	// TokenAuth selects how the client authenticates at the token,
	// revocation and PAR endpoints: client_secret_basic (default),
	// client_secret_post, private_key_jwt or client_secret_jwt. Non-empty
	// Options.ClientKeys select private_key_jwt by themselves.
	TokenAuth TokenAuthMethod
	// InsecureSkipPKCE turns PKCE off. Only for providers that reject the
	// code_challenge parameter; PKCE protects against code injection
	// (RFC 9700 §2.1.1).
	InsecureSkipPKCE bool

	// Issuer is the provider's issuer identifier. When set, an authorization
	// response that carries iss must carry exactly this value (RFC 9207).
	Issuer string
	// RequireIssuer rejects authorization responses without iss (for
	// providers that advertise authorization_response_iss_parameter_supported).
	RequireIssuer bool
	// FormPost asks for response_mode=form_post (OAuth 2.0 Form Post
	// Response Mode): the provider POSTs the response to the callback,
	// which Mount then also serves as POST /<name>/authorized, and the code
	// stays out of URLs. Each login records its mode; a response in the
	// other mode is refused (ErrResponseMode). Because that POST is
	// cross-site and carries no SameSite=Lax cookie, the callback first
	// answers with a same-origin page that re-posts the form (see the
	// repository's docs/oidc.md, form_post).
	FormPost bool

	// Options are the settings every blueprint shares, whatever its
	// provider: HTTP client, timeouts, pending logins, session, logger.
	Options

	// Hooks for provider packages (OpenID Connect uses them); apps rarely
	// need them.
	Protocol OAuth2Hooks
}

// OAuth2Hooks let a provider package take part in the OAuth 2.0 flow
// without forking it. providers/oidc sets them to add a nonce, discover
// endpoints and verify id_tokens.
type OAuth2Hooks struct {
	// Endpoints, when set, is called before each login and token call to
	// obtain the endpoints (for discovery); it should cache. Empty fields of
	// its result keep the config's.
	Endpoints func(ctx context.Context) (Endpoints, error)
	// Nonce adds a random nonce to each login (OpenID Connect §3.1.2.1).
	Nonce bool
	// VerifyLogin checks the token of a finished code exchange; nonce is
	// the login's nonce ("" without Nonce). An error ends the login.
	VerifyLogin func(ctx context.Context, tok *Token, nonce string) error
	// VerifyRefresh checks a refreshed token against the one it replaces.
	VerifyRefresh func(ctx context.Context, old, refreshed *Token) error
	// ScopeSeparator separates the scopes in the token response's scope
	// string, for a provider that departs from RFC 6749's space: GitHub
	// and Strava use ",". Spaces around each scope are dropped. Empty: a
	// space.
	ScopeSeparator string
	// Validate reports a configuration error of the provider package (a
	// missing issuer or client secret); Blueprint.Validate, and so Mount,
	// call it before the core checks, so that a provider package words the
	// errors of the fields it fills (a preset names its environment
	// variables).
	Validate func() error
}

// Endpoints are a provider's URLs, as discovered.
type Endpoints struct {
	AuthURL, TokenURL, RevocationURL string
	Issuer                           string
	RequireIssuer                    bool
	// MatchIssuer, when set, decides whether an authorization response's
	// iss is acceptable, instead of equality with Issuer: for issuers that
	// are templates (Entra ID's multi-tenant endpoints, where each tenant
	// has an issuer of its own). Issuer is then what the login records.
	MatchIssuer func(iss string) bool
	// PARURL is the pushed authorization request endpoint (RFC 9126 §5
	// pushed_authorization_request_endpoint); RequirePAR is the provider's
	// require_pushed_authorization_requests: every login then pushes, and
	// fails with ErrPARRequired when there is no PARURL.
	PARURL     string
	RequirePAR bool
}

// OAuth1Config configures an OAuth 1.0a blueprint (RFC 5849).
type OAuth1Config struct {
	ConsumerKey, ConsumerSecret                   string
	RequestTokenURL, AuthorizeURL, AccessTokenURL string
	APIBaseURL, RedirectURL, RedirectTo           string

	// Validate, when set, reports a configuration error of the provider
	// package (as OAuth2Hooks.Validate does): Blueprint.Validate, and so
	// Mount, call it before the core checks.
	Validate func() error

	// Options mean what they mean for OAuth 2.0. Those that only OAuth 2.0
	// can honour (DPoP, ClientKeys, PushAuthorizationRequests,
	// AssertionAudienceTokenURL, RefreshLeeway, ClockSkew) fail Validate
	// and Mount with ErrConfig when set.
	Options
}
