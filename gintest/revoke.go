package gintest

import "net/http"

// handleRevoke serves POST /revoke (RFC 7009 §2). The client must
// authenticate; token is required and token_type_hint optional (the
// token is found whatever the hint). Revoking a refresh token revokes
// every token of its authorization; revoking an access token revokes only
// it (§2.1). Unknown tokens, and tokens of other clients, are answered 200
// and left alone (§2.2).
func (p *Provider) handleRevoke(w http.ResponseWriter, r *http.Request) {
	p.count(EndpointRevoke)
	form, oerr := p.parseTokenRequest(w, r)
	if oerr != nil {
		oerr.write(w)
		return
	}
	client, oerr := p.authenticateClient(r, form)
	if oerr != nil {
		oerr.write(w)
		return
	}
	s := form.Get("token")
	if s == "" {
		errInvalidRequest("missing token").write(w)
		return
	}
	p.mu.Lock()
	if t := p.tokens[s]; t != nil && t.grant.clientID == client.ID {
		if t.kind == refreshToken {
			t.grant.revoked = true
		}
		t.revoked = true
	}
	p.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}
