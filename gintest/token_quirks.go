package gintest

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Client authentication methods for TokenQuirks.ClientAuth, named as in
// OAuth 2.0 Authorization Server Metadata (RFC 8414).
const (
	ClientSecretBasic = "client_secret_basic"
	ClientSecretPost  = "client_secret_post"
)

// TokenQuirks make /token (and /revoke) behave like the providers that
// depart from plain RFC 6749 in ways a client must cope with, so that a
// provider preset's handling of them can be tested. The zero value is
// plain RFC 6749.
type TokenQuirks struct {
	// ClientAuth, when set, is the only way a confidential client may
	// authenticate: ClientSecretBasic refuses credentials in the body (as
	// Reddit, Notion and Zoom do), ClientSecretPost refuses HTTP Basic.
	// Public clients still send their bare client_id in the body.
	ClientAuth string
	// JSONRequests makes /token and /revoke read their parameters from a
	// JSON object (Content-Type: application/json) of string values, as
	// Notion's do, and refuse a form-encoded body.
	JSONRequests bool
	// ResponseExtra, when set, returns fields added to every successful
	// /token answer, given the grant type and the user the token is for
	// (nil for client_credentials): a provider that sends the user along
	// with the token (Strava's athlete, Notion's owner). The standard
	// fields cannot be overridden.
	ResponseExtra func(grantType string, u *User) map[string]any
	// GrantScopes, when set, decides which of the scopes a login asked for
	// are granted (a provider whose consent page lets the user untick some,
	// as Strava's does); the token response's scope then names only those
	// (RFC 6749 §5.1), and so do the code's tokens and their refreshes.
	// Nil: every scope asked for is granted.
	GrantScopes func(requested []string) []string
	// ScopeArray sends the token response's scope as a JSON array of
	// strings rather than RFC 6749's space-separated string, as Twitch does.
	ScopeArray bool
	// ScopeSeparator is what separates scopes in this provider's scope
	// parameters and answers, for one that departs from RFC 6749's space
	// (Strava: ","). Empty: a space.
	ScopeSeparator string
	// ScopeInRedirect adds the granted scopes to the authorization
	// response as a scope parameter, as Strava's and Google's redirects
	// carry them.
	ScopeInRedirect bool
	// OmitScope leaves scope out of the token response, as Strava's does
	// (RFC 6749 §5.1 allows that only when the grant is what was asked).
	OmitScope bool
}

// parseScope reads a scope parameter into the provider's own form, scopes
// separated by single spaces.
func (q TokenQuirks) parseScope(param string) string {
	if q.ScopeSeparator != "" {
		param = strings.ReplaceAll(param, q.ScopeSeparator, " ")
	}
	return strings.Join(strings.Fields(param), " ")
}

// formatScope writes scopes in the provider's own form as its answers
// spell them.
func (q TokenQuirks) formatScope(scope string) string {
	if q.ScopeSeparator == "" {
		return scope
	}
	return strings.Join(strings.Fields(scope), q.ScopeSeparator)
}

// grantedScope applies TokenQuirks.GrantScopes to a login's scope.
func (q TokenQuirks) grantedScope(scope string) string {
	if q.GrantScopes == nil {
		return scope
	}
	return strings.Join(q.GrantScopes(strings.Fields(scope)), " ")
}

// parseTokenRequest reads /token's and /revoke's parameters: a form, or a JSON object
// with TokenQuirks.JSONRequests.
func (p *Provider) parseTokenRequest(w http.ResponseWriter, r *http.Request) (url.Values, *oauthError) {
	if !p.opts.TokenQuirks.JSONRequests {
		return parsePostForm(w, r)
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return nil, errInvalidRequest("the token request must be a JSON object (Content-Type: application/json)")
	}
	var obj map[string]any
	if err := json.NewDecoder(io.LimitReader(r.Body, maxFormBytes)).Decode(&obj); err != nil {
		return nil, errInvalidRequest("malformed JSON body")
	}
	form := url.Values{}
	for k, v := range obj {
		s, ok := v.(string)
		if !ok {
			return nil, errInvalidRequest("parameter " + k + " is not a string")
		}
		form.Set(k, s)
	}
	return form, nil
}

// clientAuthAllowed enforces TokenQuirks.ClientAuth on an authenticated
// client.
func (q TokenQuirks) clientAuthAllowed(c Client, basic bool) *oauthError {
	switch {
	case c.Secret == "" || q.ClientAuth == "":
		return nil
	case q.ClientAuth == ClientSecretBasic && !basic:
		return &oauthError{status: http.StatusUnauthorized, code: "invalid_client", description: "this provider takes client credentials in HTTP Basic only"}
	case q.ClientAuth == ClientSecretPost && basic:
		return &oauthError{status: http.StatusUnauthorized, code: "invalid_client", description: "this provider takes client credentials in the body only", basic: true}
	}
	return nil
}

// withExtra returns resp with TokenQuirks.ResponseExtra's fields added,
// and its scope as the quirks spell it (an array, another separator, or
// none).
func (p *Provider) withExtra(grantType string, resp tokenResponse) any {
	q := p.opts.TokenQuirks
	switch {
	case q.OmitScope:
		resp.Scope = ""
	case !q.ScopeArray:
		resp.Scope = q.formatScope(resp.Scope)
	}
	if q.ResponseExtra == nil && !q.ScopeArray {
		return resp
	}
	b, _ := json.Marshal(resp)
	var out map[string]any
	json.Unmarshal(b, &out)
	if q.ScopeArray && resp.Scope != "" {
		out["scope"] = strings.Fields(resp.Scope)
	}
	if q.ResponseExtra == nil {
		return out
	}
	var u *User
	p.mu.Lock()
	if t := p.tokens[resp.AccessToken]; t != nil {
		u = copyUser(t.grant.user)
	}
	p.mu.Unlock()
	for k, v := range q.ResponseExtra(grantType, u) {
		if _, std := out[k]; !std {
			out[k] = v
		}
	}
	return out
}
