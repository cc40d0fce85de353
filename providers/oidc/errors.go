package oidc

import (
	"errors"
	"fmt"

	"github.com/gindance/gindance/blueprint"
)

// Errors of id_token and userinfo verification. Each wraps ErrIDToken (or
// is it) and reaches OnError inside a *blueprint.ProviderError with Op
// "id_token" (HTTP 502 from the default handler); test with errors.Is.
var (
	// ErrIDToken: the id_token failed verification (signature, alg, iss,
	// aud, exp, or one of the errors below).
	ErrIDToken = errors.New("gindance/oidc: id_token rejected")
	// ErrNoIDToken: the token response had no id_token (OpenID Connect
	// Core §3.1.3.3 requires one).
	ErrNoIDToken = fmt.Errorf("%w: the token response has no id_token", ErrIDToken)
	// ErrNonce: the nonce is not the login's (OpenID Connect Core
	// §3.1.3.7 item 11): a replayed or injected id_token.
	ErrNonce = fmt.Errorf("%w: nonce does not match the login's", ErrIDToken)
	// ErrMissingClaim: iat or sub is missing (OpenID Connect Core §2).
	ErrMissingClaim = fmt.Errorf("%w: a required claim is missing", ErrIDToken)
	// ErrAuthorizedParty: several audiences without azp, or an azp that
	// is not this client (OpenID Connect Core §3.1.3.7 items 4-5).
	ErrAuthorizedParty = fmt.Errorf("%w: azp is missing or not this client", ErrIDToken)
	// ErrUserInfoSubject: the userinfo answer is for another sub (OpenID
	// Connect Core §5.3.4).
	ErrUserInfoSubject = fmt.Errorf("%w: userinfo sub differs from the id_token's", ErrIDToken)
	// ErrRefreshSubject: an id_token returned on refresh has another iss,
	// sub or aud than the original (OpenID Connect Core §12.2).
	ErrRefreshSubject = fmt.Errorf("%w: refreshed id_token is for another subject", ErrIDToken)
)

// Errors of the authentication context checks at login (OpenID Connect
// Core §3.1.3.7 items 12-13). Each wraps ErrIDToken.
var (
	// ErrAuthTime: Config.MaxAge was asked for but the id_token has no
	// auth_time, or the user authenticated longer ago than MaxAge (plus
	// the clock skew allowance).
	ErrAuthTime = fmt.Errorf("%w: auth_time is missing or older than max_age", ErrIDToken)
	// ErrACR: Config.RequireACR and the id_token's acr is not one of
	// Config.ACRValues.
	ErrACR = fmt.Errorf("%w: acr is not one of the required values", ErrIDToken)
	// ErrIssuedInFuture: the id_token's iat is later than now plus the
	// clock skew allowance.
	ErrIssuedInFuture = fmt.Errorf("%w: iat is in the future", ErrIDToken)
)

// Errors of multi-tenant issuers (Config.IssuerTemplate). Each wraps
// ErrIDToken.
var (
	// ErrTenant: the id_token's tenant (tid) is missing, malformed, or not
	// allowed by Config.Tenants or Config.AllowTenant.
	ErrTenant = fmt.Errorf("%w: tenant missing or not allowed", ErrIDToken)
	// ErrTenantIssuer: the id_token's iss is not Config.IssuerTemplate with
	// its own tid substituted, or not the issuer the authorization response
	// named (RFC 9207).
	ErrTenantIssuer = fmt.Errorf("%w: iss does not match the issuer template with the token's tid", ErrIDToken)
)

// ErrUserInfo: the userinfo endpoint's answer could not be used: larger
// than 1 MiB, not JSON, or a signed answer (application/jwt) whose
// signature does not verify against the provider's JWKS or whose iss or
// aud is not this provider's or this client's (OpenID Connect Core
// §5.3.2). It reaches OnError inside a *blueprint.ProviderError with Op
// "userinfo".
var ErrUserInfo = errors.New("gindance/oidc: userinfo answer rejected")

// ErrLogoutToken means a logout token failed validation (Back-Channel
// Logout 1.0 §2.6); the handler answers 400 and forgets nothing.
var ErrLogoutToken = errors.New("gindance/oidc: logout_token rejected")

// ErrLogoutState means the return from the provider's end_session endpoint
// carried a state that is missing, unknown or already used. It wraps
// blueprint.ErrStateMismatch (HTTP 400 from the default handler).
var ErrLogoutState = fmt.Errorf("%w: logout", blueprint.ErrStateMismatch)

// ErrDiscovery means the discovery document could not be used: it names
// another issuer than the configured one (OpenID Connect Discovery §4.3),
// or lacks a required endpoint. It wraps blueprint.ErrConfig.
var ErrDiscovery = fmt.Errorf("%w: OpenID Connect discovery", blueprint.ErrConfig)
