package gintest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Failure makes the Provider misbehave, for testing how a client copes.
// Set it with Provider.Fail. The zero value injects nothing.
//
// At /token the knobs apply in this order, the first one set winning:
// TokenDelay (then continue), TokenDrop, TokenStatus, TokenError,
// TokenGarbage, TokenHTML, TokenHuge. Those answer before the request is looked at, so
// an authorization code or refresh token sent along is not consumed.
// TokenMissingAccessToken and TokenType instead alter a response to a
// request that was otherwise processed normally.
//
// Beware that golang.org/x/oauth2 with AuthStyleAutoDetect (the zero
// Endpoint.AuthStyle) retries a failed exchange once with the other client
// authentication style. After a response altered by
// TokenMissingAccessToken or TokenType that retry replays the
// authorization code, which answers invalid_grant and revokes the tokens
// issued for it (RFC 6749 §4.1.2). Set the AuthStyle to see the first
// error.
type Failure struct {
	// Deny makes /authorize redirect back with error=access_denied, as if
	// the user declined.
	Deny bool
	// AuthorizeError makes /authorize redirect back with this error code,
	// such as "server_error" or "invalid_scope" (RFC 6749 §4.1.2.1).
	AuthorizeError string

	// TokenError makes /token answer this RFC 6749 §5.2 error code, such
	// as "invalid_grant", with status 400 (401 for "invalid_client").
	TokenError string
	// TokenStatus makes /token answer this HTTP status, such as 500 or
	// 503, with a small HTML body.
	TokenStatus int
	// TokenRetryAfter, with TokenStatus (429 or 503, RFC 9110 §10.2.3),
	// adds a Retry-After header of this many whole seconds.
	TokenRetryAfter time.Duration
	// TokenDrop makes /token close the connection without answering, as a
	// crashed or overloaded server does.
	TokenDrop bool
	// TokenDelay makes /token wait this long before answering, or until
	// the request is cancelled.
	TokenDelay time.Duration
	// TokenGarbage makes /token answer 200 with a body that is not JSON
	// but says it is.
	TokenGarbage bool
	// TokenHTML makes /token answer 200 with a text/html error page.
	TokenHTML bool
	// TokenMissingAccessToken makes successful /token answers omit
	// access_token.
	TokenMissingAccessToken bool
	// TokenHuge makes /token answer 200 with a JSON body of this many
	// bytes (at least about 80): a token response padded with a long
	// extra field.
	TokenHuge int
	// TokenType replaces "Bearer" as the token_type of successful /token
	// answers.
	TokenType string
	// ErrorOnGrant limits the Token knobs to requests with this
	// grant_type, such as "authorization_code" or "refresh_token". Empty:
	// every grant type.
	ErrorOnGrant string

	// APIStatus makes /api/me answer this HTTP status with a JSON error
	// body, whatever the token.
	APIStatus int

	// PARError makes /par answer this RFC 9126 §2.3 error code, such as
	// "invalid_request", with status 400.
	PARError string

	// DPoPNonceEveryCall, with Options.DPoPNonce, makes each nonce good
	// for one proof and puts a fresh one on every /token and /api/me
	// answer, so that a client must use the newest one it got.
	DPoPNonceEveryCall bool
}

// Fail replaces the current failure knobs; p.Fail(Failure{}) clears them.
// It takes effect for requests that arrive after it returns.
func (p *Provider) Fail(f Failure) {
	p.failure.Store(&f)
}

func (p *Provider) knobs() Failure {
	if f := p.failure.Load(); f != nil {
		return *f
	}
	return Failure{}
}

// tokenKnobs returns the knobs that apply to a /token request of
// grantType.
func (p *Provider) tokenKnobs(grantType string) Failure {
	f := p.knobs()
	if f.ErrorOnGrant != "" && f.ErrorOnGrant != grantType {
		return Failure{}
	}
	return f
}

// injectTokenFailure answers r according to f and reports whether it did.
func injectTokenFailure(w http.ResponseWriter, r *http.Request, f Failure) bool {
	if f.TokenDelay > 0 {
		t := time.NewTimer(f.TokenDelay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true // the client is gone: nobody to answer
		}
	}
	switch {
	case f.TokenDrop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler) // HTTP/2: abort the stream
	case f.TokenStatus != 0:
		if f.TokenRetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(f.TokenRetryAfter.Round(time.Second)/time.Second)))
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(f.TokenStatus)
		fmt.Fprintf(w, "<!DOCTYPE html><title>%d</title><h1>%d %s</h1>\n", f.TokenStatus, f.TokenStatus, http.StatusText(f.TokenStatus))
	case f.TokenError != "":
		status := http.StatusBadRequest
		if f.TokenError == "invalid_client" {
			status = http.StatusUnauthorized
		}
		(&oauthError{status: status, code: f.TokenError, description: "injected by gintest Failure.TokenError"}).write(w)
	case f.TokenGarbage:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `{"access_token": "gta_garbage", "token_type": "Bearer", <<<not json`)
	case f.TokenHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "<!DOCTYPE html><title>Oops</title><h1>Something went wrong</h1>\n")
	case f.TokenHuge > 0:
		const head = `{"access_token":"gta_huge","token_type":"Bearer","expires_in":3600,"padding":"`
		const tail = `"}`
		pad := max(f.TokenHuge-len(head)-len(tail), 0)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, head, strings.Repeat("x", pad), tail)
	default:
		return false
	}
	return true
}
