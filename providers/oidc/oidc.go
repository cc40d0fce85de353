// Package oidc is an OpenID Connect relying party for any issuer (Keycloak,
// Auth0, Okta, Entra ID, Dex, Google, ...) on top of blueprint.NewOAuth2.
//
// New discovers the provider's endpoints from the issuer, lazily on first
// use and cached for DiscoveryTTL; the discovered issuer must equal the
// configured one exactly. Logins ask for scope openid, carry a nonce bound
// to the login transaction and keep PKCE on. The callback enforces RFC 9207
// (iss of the authorization response) and verifies the id_token with
// github.com/coreos/go-oidc: signature against the provider's JWKS
// (refetched when an unknown kid appears, at most once per 10 s), iss, aud,
// exp and the allowed
// asymmetric algorithms (none and HS* are always refused), and then, per
// OpenID Connect Core §3.1.3.7: nonce, iat and sub present, azp when there
// are several audiences, at_hash when present. Any failure ends the login in
// OnError with an error wrapping ErrIDToken, and nothing is stored.
//
// A Blueprint adds what only OpenID Connect has: Claims, Discover,
// RP-initiated logout (LogoutHandler, LogoutCallbackHandler), Back-Channel
// Logout 1.0 (BackChannelLogoutHandler), and max_age and acr checked at
// login (Config.MaxAge, Config.ACRValues).
package oidc

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gindance/gindance/blueprint"
)

// DefaultDiscoveryTTL is how long discovered metadata is used before it is
// fetched again.
const DefaultDiscoveryTTL = time.Hour

// DefaultJWKSRefetch bounds how often an id_token with a kid the cached JWKS
// lacks may make the key set fetch the JWKS again (RFC 7517 §4.5, OpenID
// Connect Core §10.1.1): a key rotation costs one fetch, a stream of
// id_tokens with ever-changing kids at most one per interval. go-oidc's
// RemoteKeySet refetches for every unknown kid.
const DefaultJWKSRefetch = 10 * time.Second

// Config configures an OpenID Connect blueprint. Issuer, ClientID and
// ClientSecret are required (ClientSecret unless PublicClient).
type Config struct {
	// Issuer is the provider's issuer identifier, e.g.
	// "https://accounts.google.com". It must be https (http only for
	// loopback hosts, for tests) and equal the discovered issuer exactly.
	Issuer                 string
	ClientID, ClientSecret string
	// Scopes are asked for besides openid, e.g. "profile", "email".
	Scopes      []string
	RedirectURL string // absolute callback URL; empty: derived from the request
	RedirectTo  string // where the browser goes after login; default "/"
	// APIBaseURL, when set, is where Client's relative paths resolve.
	APIBaseURL string
	// AuthParams are added to every authorization URL (prompt, hd, ...).
	AuthParams map[string]string
	// MaxAge, when positive, asks the provider to authenticate the user
	// afresh if their last authentication is older (max_age, OpenID
	// Connect Core §3.1.2.1), and refuses a login whose id_token lacks
	// auth_time or has an older one (ErrAuthTime, §3.1.3.7 item 13).
	MaxAge time.Duration
	// ACRValues are the authentication context classes asked for
	// (acr_values). With RequireACR they are essential: the request says
	// so in its claims parameter (§5.5.1.1) and a login whose id_token acr
	// is none of them is refused (ErrACR, §3.1.3.7 item 12).
	ACRValues  []string
	RequireACR bool
	// TokenAuth selects client_secret_basic (default), _post, _jwt or
	// private_key_jwt (which Options.ClientKeys select by themselves; no
	// ClientSecret is needed then).
	TokenAuth blueprint.TokenAuthMethod
	// FormPost asks for response_mode=form_post; see
	// blueprint.OAuth2Config.FormPost.
	FormPost bool

	// PublicClient allows an empty ClientSecret (a client that cannot keep
	// a secret, protected by PKCE alone). It needs LoginCookieKey or
	// PendingLoginsInSession too: there is no secret to derive the
	// pending-login key from.
	PublicClient bool
	// DiscoveryURL overrides Issuer+"/.well-known/openid-configuration".
	DiscoveryURL string
	// DiscoveryTTL is how long metadata is cached. Default 1 hour. When a
	// refetch fails the old metadata stays in use.
	DiscoveryTTL time.Duration
	// JWKSRefetchInterval is the least time between two JWKS fetches
	// caused by id_tokens naming a kid the cached key set lacks (a key
	// rotation). Zero: DefaultJWKSRefetch (10 s).
	JWKSRefetchInterval time.Duration
	// UserInfo fetches the userinfo endpoint at login and for Identity;
	// its sub must equal the id_token's (OpenID Connect Core §5.3.4). The
	// answer is read within ProviderTimeout, up to 1 MiB (ErrUserInfo
	// beyond), as JSON or as a signed JWT (application/jwt, §5.3.2)
	// verified with the provider's JWKS.
	UserInfo bool
	// SigningAlgs restricts the id_token algorithms further. Default: the
	// asymmetric algorithms the provider advertises, else RS256. Symmetric
	// (HS*) algorithms and none are never accepted.
	SigningAlgs []string
	// IssuerTemplate opts in to an issuer that is a template, such as
	// Entra ID's multi-tenant "https://login.microsoftonline.com/{tenantid}/v2.0"
	// (see tenant.go): the discovery document must name it exactly, and each
	// id_token's iss must be it with the token's tid substituted. Issuer is
	// then where discovery is fetched (".../common/v2.0"). Empty: the
	// issuer is exact.
	IssuerTemplate string
	// Tenants, with IssuerTemplate, are the only tenant IDs (tid) accepted;
	// empty: any tenant, subject to AllowTenant.
	Tenants []string
	// AllowTenant, with IssuerTemplate, is one more tenant check; an error
	// refuses the id_token (wrapped in ErrTenant).
	AllowTenant func(tid string) error
	// Validate, when set, is one more configuration check (a preset's own
	// settings), run by Blueprint.Validate, and so Mount, before oidc's.
	Validate func() error
	// CheckClaims, when set, is one more check of the verified claims, at
	// login, refresh and in Claims (providers/google enforces hd with it).
	CheckClaims func(claims map[string]any) error
	// IdentityFromClaims, when set, maps the verified claims (with the
	// userinfo answer merged over them, with UserInfo) to the blueprint's
	// Identity, for a provider whose claims are not the standard ones.
	// nil: IdentityFromClaims.
	IdentityFromClaims func(claims map[string]any) *blueprint.Identity
	// RevocationURL is the RFC 7009 endpoint Logout revokes at when
	// discovery names none (a provider that has one but does not say so).
	RevocationURL string
	// InsecureSkipPKCE turns PKCE off, for a provider whose token endpoint
	// refuses code_verifier (LinkedIn); see blueprint.OAuth2Config.
	InsecureSkipPKCE bool
	// InsecureAllowMissingNonce accepts a login's id_token without a nonce,
	// for a provider that ignores the nonce parameter (LinkedIn). The nonce
	// is still sent, and one that comes back must still match: it only
	// loses its protection against a replayed id_token.
	InsecureAllowMissingNonce bool

	// PostLogoutRedirectURL is the absolute URL, registered at the
	// provider, that end_session returns to; serve LogoutCallbackHandler
	// there. Empty: LogoutHandler still ends the provider's session, and
	// the provider shows its own signed-out page instead of sending the
	// browser back.
	PostLogoutRedirectURL string
	// PostLogoutRedirectTo is where the browser goes after logout. Default
	// "/".
	PostLogoutRedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// Blueprint is an OpenID Connect blueprint: a *blueprint.Blueprint (mount
// it, register hooks, call Client, Token or Identity as for any provider)
// with what only OpenID Connect has: the verified id_token's Claims,
// Discover at startup, and the logout handlers. New and the OpenID Connect
// presets (google, microsoft, okta, ...) return one; the handlers take no
// blueprint argument, so one not made for OpenID Connect cannot reach them.
type Blueprint struct {
	*blueprint.Blueprint
	p *provider
}

// provider is the per-blueprint OpenID Connect state.
type provider struct {
	name string
	cfg  Config
	hc   *http.Client
	disc discovery
	b    *blueprint.Blueprint // the blueprint New made, for its identity function

	jwksRefetch atomic.Int64 // Config.JWKSRefetchInterval, ns
	logoutJTIs  jtiSet       // jtis of accepted back-channel logout tokens
}

// New returns an OpenID Connect blueprint named name. The provider is not
// contacted until the first login or token use. Its identity function maps
// the verified claims (and userinfo, with Config.UserInfo).
func New(name string, cfg Config) *Blueprint {
	cfg.Scopes = withOpenID(cfg.Scopes)
	if cfg.DiscoveryTTL <= 0 {
		cfg.DiscoveryTTL = DefaultDiscoveryTTL
	}
	if cfg.PostLogoutRedirectTo == "" {
		cfg.PostLogoutRedirectTo = "/"
	}
	if cfg.DiscoveryURL == "" && cfg.Issuer != "" {
		cfg.DiscoveryURL = strings.TrimSuffix(cfg.Issuer, "/") + "/.well-known/openid-configuration"
	}
	timeout := cfg.ProviderTimeout
	if timeout <= 0 {
		timeout = blueprint.DefaultProviderTimeout
	}
	p := &provider{name: name, cfg: cfg, hc: cfg.HTTPClient}
	if cfg.JWKSRefetchInterval <= 0 {
		cfg.JWKSRefetchInterval = DefaultJWKSRefetch
	}
	p.jwksRefetch.Store(int64(cfg.JWKSRefetchInterval))
	if p.hc == nil {
		p.hc = &http.Client{Timeout: timeout}
	}
	p.disc.timeout = timeout
	b := blueprint.NewOAuth2(name, blueprint.OAuth2Config{
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		APIBaseURL: cfg.APIBaseURL, RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo,
		AuthParams: authContextParams(cfg), TokenAuth: cfg.TokenAuth, Issuer: cfg.Issuer,
		RevocationURL: cfg.RevocationURL, InsecureSkipPKCE: cfg.InsecureSkipPKCE,
		FormPost: cfg.FormPost, PublicClient: cfg.PublicClient, Options: cfg.Options,
		Protocol: blueprint.OAuth2Hooks{
			Endpoints:     p.endpoints,
			Nonce:         true,
			VerifyLogin:   p.verifyLogin,
			VerifyRefresh: p.verifyRefresh,
			Validate:      p.validate,
		},
	})
	p.b = b
	b.IdentityGetter(p.identity)
	return &Blueprint{Blueprint: b, p: p}
}

func withOpenID(scopes []string) []string {
	out := []string{"openid"}
	for _, s := range scopes {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (p *provider) validate() error {
	if p.cfg.Validate != nil {
		if err := p.cfg.Validate(); err != nil {
			return err
		}
	}
	switch {
	case p.cfg.Issuer == "":
		return fmt.Errorf("%w: %s: Issuer is empty", blueprint.ErrConfig, p.name)
	case p.cfg.UserInfo && p.cfg.DPoP:
		// userinfo is called with a Bearer token; a DPoP-bound one
		// would be refused there.
		return fmt.Errorf("%w: %s: UserInfo together with DPoP is not supported (userinfo would get the DPoP-bound token as Bearer)", blueprint.ErrConfig, p.name)
	case p.cfg.RequireACR && len(p.cfg.ACRValues) == 0:
		return fmt.Errorf("%w: %s: RequireACR without ACRValues", blueprint.ErrConfig, p.name)
	case p.cfg.ClientSecret == "" && !p.cfg.PublicClient && len(p.cfg.ClientKeys) == 0:
		return fmt.Errorf("%w: %s: ClientSecret is empty: set it (or PublicClient for a client without one)", blueprint.ErrConfig, p.name)
	}
	if err := p.validateTemplate(); err != nil {
		return err
	}
	for _, raw := range []string{p.cfg.Issuer, p.cfg.DiscoveryURL} {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname()))) {
			return fmt.Errorf("%w: %s: %q must be an https URL (http only on loopback)", blueprint.ErrConfig, p.name, raw)
		}
	}
	if p.cfg.PostLogoutRedirectURL != "" {
		if u, err := url.Parse(p.cfg.PostLogoutRedirectURL); err != nil || !u.IsAbs() {
			return fmt.Errorf("%w: %s: PostLogoutRedirectURL %q is not absolute", blueprint.ErrConfig, p.name, p.cfg.PostLogoutRedirectURL)
		}
	}
	return nil
}

func loopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
