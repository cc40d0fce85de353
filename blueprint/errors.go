package blueprint

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors. Test for them with errors.Is; the errors the flow returns
// wrap them with detail.
var (
	// ErrSkipStore, returned by an OnLogin hook, finishes the login without
	// storing the token (the hook stored it, or the app does not keep it).
	ErrSkipStore = errors.New("gindance: skip storing the token")

	// ErrNotAuthorized means the request has no usable token: the user never
	// logged in, logged out, or the provider refused to refresh the token.
	// No request was sent to the provider's API.
	ErrNotAuthorized = errors.New("gindance: not authorized")

	// ErrStateMismatch means the callback's state is missing, unknown,
	// already used, or belongs to another browser session (RFC 9700 §4.7).
	ErrStateMismatch = errors.New("gindance: login state missing, unknown or already used")

	// ErrStateExpired means the login took longer than the login lifetime
	// (10 minutes by default). It wraps ErrStateMismatch.
	ErrStateExpired = fmt.Errorf("%w: the login expired, start again", ErrStateMismatch)

	// ErrForeignHost means a request would have sent the token to a host it
	// was not issued for, or to a host net/http would dial under one name
	// and address under another (a Unicode look-alike); the request was not
	// sent.
	ErrForeignHost = errors.New("gindance: refusing to send the token to a foreign host")

	// ErrNoSession means the gin-contrib/sessions middleware is not installed
	// on the route: add r.Use(sessions.Sessions(name, store)) before mounting.
	ErrNoSession = errors.New("gindance: no session: install sessions.Sessions(name, store) middleware (github.com/gin-contrib/sessions) before the blueprint's routes")

	// ErrTokenTooLarge means storing the token would make the session cookie
	// larger than browsers keep (4096 bytes). Nothing was stored. Use a
	// server-side session store (Redis, PostgreSQL, memstore) or a token
	// Storage (storage/sqlstore, storage/redisstore, storage/memory).
	ErrTokenTooLarge = errors.New("gindance: the session cookie would exceed 4096 bytes; keep tokens server-side: a Redis, PostgreSQL or memstore session store, or storage/sqlstore, storage/redisstore, storage/memory")

	// ErrLoginTooLarge means a pending login would not fit a cookie of
	// 4096 bytes (pending logins in cookies, the default): an over-long
	// redirect URI (a huge Host header), issuer or next path. Nothing is kept; the default error
	// handler answers 400.
	ErrLoginTooLarge = errors.New("gindance: the pending login would exceed a cookie's 4096 bytes (an over-long redirect URI, issuer or next path)")

	// ErrCorruptToken means a stored token could not be decoded.
	ErrCorruptToken = errors.New("gindance: stored token is corrupt")

	// ErrMissingCode means the callback carried neither a code nor an error.
	ErrMissingCode = errors.New("gindance: callback without an authorization code")

	// ErrIssuerMismatch means the authorization response's iss parameter is
	// missing where required or names another issuer (RFC 9207 §2.4): a
	// possible mix-up attack (RFC 9700 §4.4).
	ErrIssuerMismatch = errors.New("gindance: authorization response issuer does not match")

	// ErrRevoke wraps a failure to revoke a token at the provider during
	// Logout; the token was forgotten locally all the same.
	ErrRevoke = errors.New("gindance: token revocation failed")

	// ErrNoUserStorage means ClientFor or TokenSourceFor was called on a
	// blueprint whose tokens cannot be found by user key outside a request:
	// its Storage is not a UserStorage (the default SessionStorage keeps
	// each token in the user's session, which only their requests carry),
	// or TokenGetter, TokenSetter or TokenDeleter stand in for the
	// Storage's methods. Keep tokens in a server-side store
	// (storage/sqlstore, storage/redisstore, storage/memory).
	ErrNoUserStorage = errors.New("gindance: the blueprint's storage cannot find a token by user key: ClientFor needs a server-side store (storage/sqlstore, storage/redisstore, storage/memory) used through its own methods")

	// ErrConfig means the blueprint is misconfigured (a missing client ID,
	// endpoint or similar); the message says what.
	ErrConfig = errors.New("gindance: configuration error")
)

// AuthError is the provider's error redirect: the callback carried ?error=
// (RFC 6749 §4.1.2.1), e.g. access_denied when the user said no.
type AuthError struct {
	Provider    string // the blueprint's name
	Code        string // the error parameter, e.g. "access_denied"
	Description string // error_description, as sent (untrusted text)
	URI         string // error_uri, as sent (untrusted text)
}

// Error names the provider and its error code, with a bounded description.
func (e *AuthError) Error() string {
	s := fmt.Sprintf("gindance: %s refused the login: %s", e.Provider, e.Code)
	if e.Description != "" {
		s += ": " + excerpt(e.Description, 200)
	}
	return s
}

// ProviderError is a failed call to the provider's token or revocation
// endpoint (or, from providers/oidc, its discovery or userinfo endpoint): a
// transport failure, a timeout, a non-2xx answer, an OAuth error response
// (RFC 6749 §5.2, RFC 6750 §3), or a 2xx answer that is not a usable token.
// Its message never includes the response body or any token.
type ProviderError struct {
	Provider    string // the blueprint's name
	Op          string // "exchange", "refresh", "request token", "revoke", "par", "userinfo", ...
	StatusCode  int    // HTTP status, 0 when no response arrived
	Code        string // the OAuth error code, e.g. "invalid_grant"
	Description string // error_description, bounded
	Err         error  // the underlying error, if any
	// RetryAfter is the provider's Retry-After (RFC 9110 §10.2.3) on a 429
	// or 503 answer, 0 when it sent none.
	RetryAfter time.Duration
}

// Error names the provider, the operation, the status and the OAuth error
// code; never a response body or a token.
func (e *ProviderError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gindance: %s %s failed", e.Provider, e.Op)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.StatusCode)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
		if e.Description != "" {
			fmt.Fprintf(&b, ": %s", excerpt(e.Description, 200))
		}
	} else if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns the underlying error, such as ErrNoAccessToken or a
// transport failure.
func (e *ProviderError) Unwrap() error { return e.Err }

// APIError is a non-2xx answer from the provider's API to Client.GetJSON.
type APIError struct {
	StatusCode int
	Status     string
	URL        string // the request URL without its query
	Body       string // at most the first 512 bytes of the body
}

// Error names the URL, the status and the body excerpt.
func (e *APIError) Error() string {
	return fmt.Sprintf("gindance: %s answered %s: %s", e.URL, e.Status, e.Body)
}

type corruptTokenError struct{ err error }

func (e *corruptTokenError) Error() string {
	if e.err == nil {
		return ErrCorruptToken.Error() + ": no access token"
	}
	return ErrCorruptToken.Error() + ": " + e.err.Error()
}
func (e *corruptTokenError) Unwrap() []error { return []error{ErrCorruptToken, e.err} }

// StatusCode maps an error of the flow to the HTTP status the default error
// handler answers with: 400 for bad state or requests, 401/403 for refusals,
// 502 for provider failures, 500 for the app's own failures.
func StatusCode(err error) int {
	var ae *AuthError
	var pe *ProviderError
	switch {
	case errors.As(err, &ae):
		if ae.Code == "access_denied" {
			return http.StatusForbidden
		}
		return http.StatusUnauthorized
	case errors.Is(err, ErrStateMismatch), errors.Is(err, ErrMissingCode), errors.Is(err, ErrIssuerMismatch),
		errors.Is(err, ErrLoginTooLarge), errors.Is(err, ErrResponseMode), errors.Is(err, ErrFormPost):
		return http.StatusBadRequest
	case errors.Is(err, ErrNotAuthorized):
		return http.StatusUnauthorized
	case errors.As(err, &pe):
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// excerpt bounds untrusted text for messages: at most n bytes, cut on a rune
// boundary, with control characters replaced by spaces.
func excerpt(s string, n int) string {
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// ErrTokenChanged means a write under a refresh lease was not made because
// the store no longer holds the token read under the lease: another
// instance stored a newer one (or it was deleted) after the lease ended.
var ErrTokenChanged = errors.New("gindance: the stored token changed under the refresh lease; nothing was written")

// Errors of pushed authorization requests (RFC 9126).
var (
	// ErrPAR means the PAR endpoint refused the authorization request or
	// did not answer with a usable request_uri. It reaches OnError inside a
	// *ProviderError with Op "par" (and the provider's error code, such as
	// invalid_request, when it sent one); the browser was not redirected
	// and no login is pending.
	ErrPAR = errors.New("gindance: pushed authorization request failed")
	// ErrPARRequired means pushed authorization requests are on
	// (Options.PushAuthorizationRequests, or the provider's discovered
	// require_pushed_authorization_requests) but no PAR endpoint is
	// configured or discovered. The login is refused rather than sent
	// through the front channel. It wraps ErrConfig.
	ErrPARRequired = fmt.Errorf("%w: pushed authorization requests are required but no PAR endpoint (PARURL or pushed_authorization_request_endpoint) is known", ErrConfig)
)

// Errors for token endpoint answers that are not a usable token; they reach
// users wrapped in a *ProviderError.
var (
	// ErrNoAccessToken: a 2xx token response without access_token.
	ErrNoAccessToken = errors.New("gindance: token response has no access_token")
	// ErrBadTokenResponse: a 2xx token response that is not JSON or a form,
	// or is larger than 1 MiB.
	ErrBadTokenResponse = errors.New("gindance: token response is not a valid token")
	// ErrUnsupportedTokenType: a token_type other than Bearer (RFC 6750),
	// which this library cannot use to sign requests.
	ErrUnsupportedTokenType = errors.New("gindance: unsupported token_type")
)

// Errors of DPoP (RFC 9449).
var (
	// ErrDPoPNotBound means DPoP is on but the token endpoint answered
	// with a token_type other than DPoP (RFC 9449 §5): the server did not
	// bind the token to the key, so it would be a bearer token after all.
	// It reaches users inside a *ProviderError; nothing is stored.
	ErrDPoPNotBound = errors.New("gindance: DPoP is on but the token is not DPoP-bound (token_type is not DPoP)")
	// ErrDPoPKey means a DPoP-bound token's key is missing or cannot be
	// loaded from storage. The token is unusable: it wraps
	// ErrNotAuthorized, and no proof is ever signed with another key.
	ErrDPoPKey = fmt.Errorf("%w: the DPoP key of the stored token is missing or corrupt", ErrNotAuthorized)
)

// ErrClientAssertion means a client assertion could not be signed (the
// key's Signer failed, an HSM or KMS being unreachable, say). No request was
// sent.
var ErrClientAssertion = errors.New("gindance: cannot sign the client assertion")

// Errors of form_post callbacks (OAuth 2.0 Form Post Response Mode).
var (
	// ErrResponseMode means the authorization response arrived in another
	// response mode than the login asked for: a POST for a login that asked
	// for the query mode, or a GET for a form_post login. The login is used
	// up. It is a 400.
	ErrResponseMode = errors.New("gindance: the authorization response came in another response mode than the login asked for")
	// ErrFormPost means a POST to the callback was not a form the blueprint
	// can read: another content type than application/x-www-form-urlencoded,
	// a body larger than MaxFormPostBytes, or a malformed body. No login is
	// touched. It is a 400.
	ErrFormPost = errors.New("gindance: the form_post callback is not a readable urlencoded form")
)

// Errors of the OAuth 1.0a flow. They reach OnError wrapped in a
// *ProviderError (a provider answer) or as they are (a bad callback).
var (
	// ErrCallbackNotConfirmed means the provider's request token answer
	// lacked oauth_callback_confirmed=true, in any case (RFC 5849 §2.1): it did not
	// take the callback URL, so the login cannot safely go on.
	ErrCallbackNotConfirmed = errors.New("gindance: request token answer without oauth_callback_confirmed=true")
	// ErrMissingVerifier means the OAuth 1.0a callback carried an
	// oauth_token but no oauth_verifier (RFC 5849 §2.2). It wraps
	// ErrMissingCode.
	ErrMissingVerifier = fmt.Errorf("%w: no oauth_verifier", ErrMissingCode)
)
