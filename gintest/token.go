package gintest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"
)

// tokenResponse is the RFC 6749 §5.1 success body.
type tokenResponse struct {
	AccessToken  string `json:"access_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// handleToken serves POST /token (RFC 6749 §3.2).
func (p *Provider) handleToken(w http.ResponseWriter, r *http.Request) {
	p.count(EndpointToken)
	form, oerr := p.parseTokenRequest(w, r)
	grantType := ""
	if form != nil {
		grantType = form.Get("grant_type")
	}
	if grantType == "refresh_token" {
		p.count(EndpointRefresh)
	}
	knobs := p.tokenKnobs(grantType)
	if injectTokenFailure(w, r, knobs) {
		return
	}
	if oerr != nil {
		oerr.write(w)
		return
	}
	p.nonceHeader(w, authServer)
	jkt, derr := p.checkDPoP(r, "/token", "")
	switch {
	case derr != nil:
		derr.writeToken(w)
		return
	case jkt == "" && p.opts.RequireDPoP:
		(&oauthError{status: http.StatusBadRequest, code: "invalid_dpop_proof", description: "a DPoP proof is required (RFC 9449)"}).write(w)
		return
	}
	client, oerr := p.authenticateClient(r, form)
	if oerr != nil {
		oerr.write(w)
		return
	}
	var resp tokenResponse
	switch grantType {
	case "authorization_code":
		resp, oerr = p.exchangeCode(client, form, jkt)
	case "refresh_token":
		resp, oerr = p.refresh(client, form, jkt)
	case "client_credentials":
		resp, oerr = p.clientCredentials(client, form)
	case "":
		oerr = errInvalidRequest("missing grant_type")
	default:
		oerr = &oauthError{status: http.StatusBadRequest, code: "unsupported_grant_type", description: "grant_type " + grantType + " is not supported"}
	}
	if oerr != nil {
		oerr.write(w)
		return
	}
	resp.TokenType = "Bearer"
	if jkt != "" && grantType != "client_credentials" {
		resp.TokenType = "DPoP" // RFC 9449 §5
	}
	if knobs.TokenType != "" {
		resp.TokenType = knobs.TokenType
	}
	if knobs.TokenMissingAccessToken {
		resp.AccessToken = ""
	}
	writeJSON(w, http.StatusOK, p.withExtra(grantType, resp))
}

// exchangeCode serves the authorization_code grant (RFC 6749 §4.1.3) with
// PKCE (RFC 7636 §4.5, §4.6).
func (p *Provider) exchangeCode(client Client, form url.Values, jkt string) (tokenResponse, *oauthError) {
	code := form.Get("code")
	if code == "" {
		return tokenResponse{}, errInvalidRequest("missing code")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.codes[code]
	if c == nil || c.clientID != client.ID {
		return tokenResponse{}, errInvalidGrant("unknown authorization code")
	}
	if c.used {
		// RFC 6749 §4.1.2: a code used twice revokes what it yielded.
		if c.grant != nil {
			c.grant.revoked = true
		}
		return tokenResponse{}, errInvalidGrant("authorization code already used; tokens issued for it are revoked")
	}
	// Any attempt by the right client consumes the code, so that a wrong
	// PKCE verifier cannot be retried.
	c.used = true
	if !p.now().Before(c.expires) {
		return tokenResponse{}, errInvalidGrant("authorization code expired")
	}
	if got := form.Get("redirect_uri"); (c.redirectGiven || got != "") && got != c.redirectURI {
		return tokenResponse{}, errInvalidGrant("redirect_uri does not match the authorization request")
	}
	verifier := form.Get("code_verifier")
	switch {
	case c.challenge == "" && verifier != "":
		// RFC 9700 §2.1.1: no challenge was sent, so a verifier is suspect.
		return tokenResponse{}, errInvalidGrant("code_verifier without a code_challenge in the authorization request")
	case c.challenge == "":
	case verifier == "":
		return tokenResponse{}, errInvalidGrant("missing code_verifier")
	case !validPKCEValue(verifier):
		return tokenResponse{}, errInvalidGrant("malformed code_verifier")
	case !pkceMatches(c.method, c.challenge, verifier):
		return tokenResponse{}, errInvalidGrant("code_verifier does not match code_challenge")
	}
	u := c.user
	c.grant = &grant{clientID: client.ID, user: &u, jkt: jkt}
	access, refresh := p.mintLocked(c.grant, c.scope, p.opts.TokenLifetime, true)
	return p.response(access, refresh, c.scope), nil
}

// refresh serves the refresh_token grant (RFC 6749 §6), with rotation and
// reuse detection as configured (RFC 9700 §4.14.2).
func (p *Provider) refresh(client Client, form url.Values, jkt string) (tokenResponse, *oauthError) {
	rt := form.Get("refresh_token")
	if rt == "" {
		return tokenResponse{}, errInvalidRequest("missing refresh_token")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.tokens[rt]
	if t == nil || t.kind != refreshToken || t.grant.clientID != client.ID {
		return tokenResponse{}, errInvalidGrant("unknown refresh token")
	}
	if t.revoked || t.grant.revoked {
		return tokenResponse{}, errInvalidGrant("refresh token revoked")
	}
	if t.grant.jkt != jkt { // RFC 9449 §5: a bound refresh token needs a proof by its key
		return tokenResponse{}, errInvalidGrant("the refresh token is bound to another DPoP key, or to none")
	}
	if t.used {
		p.reuses.Add(1)
		if p.opts.DetectRefreshReuse {
			t.grant.revoked = true
			return tokenResponse{}, errInvalidGrant("refresh token reused; its token family is revoked")
		}
		return tokenResponse{}, errInvalidGrant("refresh token already used")
	}
	scope := t.scope
	if s := p.opts.TokenQuirks.parseScope(form.Get("scope")); s != "" {
		if !subsetScope(s, t.scope) {
			return tokenResponse{}, &oauthError{status: http.StatusBadRequest, code: "invalid_scope", description: "scope exceeds the original grant"}
		}
		scope = s
	}
	var access, next string
	if p.opts.RotateRefreshTokens {
		t.used = true
		access, next = p.mintLocked(t.grant, t.scope, p.opts.TokenLifetime, true)
	} else {
		access, _ = p.mintLocked(t.grant, scope, p.opts.TokenLifetime, false)
		next = rt
	}
	p.tokens[access].scope = scope
	return p.response(access, next, scope), nil
}

// clientCredentials serves the client_credentials grant (RFC 6749 §4.4).
// No refresh token is issued (§4.4.3) and the token has no user.
func (p *Provider) clientCredentials(client Client, form url.Values) (tokenResponse, *oauthError) {
	if client.Secret == "" {
		return tokenResponse{}, &oauthError{status: http.StatusBadRequest, code: "unauthorized_client", description: "public clients cannot use client_credentials"}
	}
	scope := p.opts.TokenQuirks.parseScope(form.Get("scope"))
	if scope == "" {
		scope = joinScopes(p.opts.Scopes)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	access, _ := p.mintLocked(&grant{clientID: client.ID}, scope, p.opts.TokenLifetime, false)
	return p.response(access, "", scope), nil
}

func (p *Provider) response(access, refresh, scope string) tokenResponse {
	return tokenResponse{
		AccessToken:  access,
		ExpiresIn:    int64(p.opts.TokenLifetime / time.Second),
		RefreshToken: refresh,
		Scope:        scope,
	}
}

// validPKCEValue reports whether s is a valid code_verifier or S256
// code_challenge: 43 to 128 unreserved characters (RFC 7636 §4.1, §4.2).
func validPKCEValue(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// pkceMatches checks a verifier against the challenge (RFC 7636 §4.6).
func pkceMatches(method, challenge, verifier string) bool {
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}
