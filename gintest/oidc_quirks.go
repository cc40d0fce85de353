package gintest

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
)

// OIDCQuirks make an OIDCProvider behave like a real provider that departs
// from the plain shape in a way a preset must handle. The zero value is a
// strictly conforming provider.
type OIDCQuirks struct {
	// IssuerPath is appended to URL() to make the issuer, and the
	// discovery document is served under it too: "/realms/acme"
	// (Keycloak), "/oauth2/default" (Okta), "/" (Auth0's trailing slash),
	// "/application/o/app/" (authentik). The other endpoints stay at the
	// root, where discovery names them.
	IssuerPath string
	// Revocation advertises revocation_endpoint in discovery and serves
	// POST /revoke (RFC 7009); Revocations lists what was revoked.
	Revocation bool
	// PostAuthOnly accepts only client_secret_post at /token and /revoke:
	// HTTP Basic credentials are refused with invalid_client (LinkedIn,
	// Twitch).
	PostAuthOnly bool
	// IgnoreNonce leaves the nonce out of id_tokens even when the
	// authorization request carried one (LinkedIn).
	IgnoreNonce bool
	// RejectPKCE answers invalid_client to a token request that carries a
	// code_verifier, and does not require a code_challenge at
	// /authorize (LinkedIn's web apps).
	RejectPKCE bool
	// ScopeArray sends the token response's scope as a JSON array of
	// strings instead of a space-delimited string (Twitch).
	ScopeArray bool
	// OmitExpiresIn leaves expires_in out of token responses
	// (Salesforce).
	OmitExpiresIn bool
	// TokenExtra are further fields of every token response, such as
	// Salesforce's {"instance_url": ...}.
	TokenExtra map[string]any
	// OKEnvelope answers /token as Slack's Web API does: always HTTP 200,
	// with "ok": true on success and {"ok": false, "error": code} on
	// failure.
	OKEnvelope bool
}

// Revocations returns the form of every accepted revocation request so
// far (with OIDCQuirks.Revocation).
func (p *OIDCProvider) Revocations() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]url.Values(nil), p.revocations...)
}

// issuerPath is the issuer's path below URL().
func (p *OIDCProvider) issuerPath() string { return p.opts.Quirks.IssuerPath }

// routeQuirks registers the endpoints the quirks add.
func (p *OIDCProvider) routeQuirks() {
	q := p.opts.Quirks
	if dir := strings.TrimSuffix(q.IssuerPath, "/"); dir != "" {
		p.mux.HandleFunc("GET "+dir+"/.well-known/openid-configuration", p.handleDiscovery)
	}
	if q.Revocation {
		p.mux.HandleFunc("POST /revoke", p.handleOIDCRevoke)
	}
}

// discoveryQuirks adds the quirks' metadata to a discovery document.
func (p *OIDCProvider) discoveryQuirks(doc map[string]any) {
	q := p.opts.Quirks
	if q.Revocation {
		doc["revocation_endpoint"] = p.URL() + "/revoke"
	}
	if q.PostAuthOnly {
		doc["token_endpoint_auth_methods_supported"] = []string{"client_secret_post"}
	}
}

// tokenResponseQuirks reshapes a token response as the quirks say.
func (p *OIDCProvider) tokenResponseQuirks(resp map[string]any) {
	q := p.opts.Quirks
	if q.ScopeArray {
		resp["scope"] = strings.Fields(resp["scope"].(string))
	}
	if q.OmitExpiresIn {
		delete(resp, "expires_in")
	}
	maps.Copy(resp, q.TokenExtra)
}

// handleOIDCRevoke serves POST /revoke: an authenticated client's access
// or refresh token is forgotten; unknown tokens are answered 200 too
// (RFC 7009 §2.2).
func (p *OIDCProvider) handleOIDCRevoke(w http.ResponseWriter, r *http.Request) {
	if !p.clientOK(r) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	tok := r.PostFormValue("token")
	if tok == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	p.mu.Lock()
	delete(p.access, tok)
	delete(p.refresh, tok)
	p.revocations = append(p.revocations, r.PostForm)
	p.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// tokenHandler is handleToken, wrapped in Slack's ok envelope with
// OIDCQuirks.OKEnvelope.
func (p *OIDCProvider) tokenHandler() http.HandlerFunc {
	if !p.opts.Quirks.OKEnvelope {
		return p.handleToken
	}
	return func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		p.handleToken(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			body = map[string]any{"error": "internal_error"}
		}
		body["ok"] = rec.Code < 300
		if rec.Code >= 300 {
			body = map[string]any{"ok": false, "error": body["error"]}
		}
		writeJSON(w, http.StatusOK, body)
	}
}
