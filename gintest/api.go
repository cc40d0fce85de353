package gintest

import (
	"net/http"
	"strings"
)

// userJSON is the body of GET /api/me.
type userJSON struct {
	ID            string `json:"id"`
	Login         string `json:"login"`
	Name          string `json:"name"`
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
	AvatarURL     string `json:"avatar_url"`
}

// handleAPIMe serves GET /api/me: the user an access token was issued
// for. The token must come in the Authorization header (RFC 6750 §2.1); a
// token in the query string is ignored (RFC 9700 §4.3.2). Tokens from the
// client_credentials grant have no user and get 403.
func (p *Provider) handleAPIMe(w http.ResponseWriter, r *http.Request) {
	p.count(EndpointAPI)
	if st := p.knobs().APIStatus; st != 0 {
		writeJSON(w, st, map[string]string{"error": "injected", "error_description": "injected by gintest Failure.APIStatus"})
		return
	}
	p.nonceHeader(w, resourceServer)
	scheme, tok, ok := accessTokenOf(r)
	if !ok {
		unauthorized(w, "missing bearer token in the Authorization header")
		return
	}
	p.mu.Lock()
	t := p.activeLocked(tok, accessToken)
	var u *User
	var jkt string
	if t != nil {
		u, jkt = copyUser(t.grant.user), t.grant.jkt
	}
	p.mu.Unlock()
	if t == nil {
		unauthorized(w, "token is unknown, expired or revoked")
		return
	}
	if jkt != "" || scheme == "DPoP" {
		if !p.checkBoundToken(w, r, scheme, tok, jkt) {
			return
		}
	}
	if u == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gintest", error="insufficient_scope", error_description="client token has no user"`)
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope", "error_description": "client token has no user"})
		return
	}
	writeJSON(w, http.StatusOK, userJSON{
		ID: u.ID, Login: u.Login, Name: u.Name, Email: u.Email,
		EmailVerified: u.EmailVerified, AvatarURL: u.AvatarURL,
	})
}

func bearerToken(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// unauthorized answers 401 with an RFC 6750 §3 challenge.
func unauthorized(w http.ResponseWriter, desc string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="gintest", error="invalid_token", error_description="`+desc+`"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": desc})
}

// checkBoundToken checks a DPoP-bound token's use at the API (RFC 9449
// §7): scheme DPoP (a bound token presented as Bearer is refused, §7.2),
// a valid proof with ath, by the key the token is bound to (§6). It
// answers the request itself and returns false when the use is refused.
func (p *Provider) checkBoundToken(w http.ResponseWriter, r *http.Request, scheme, tok, jkt string) bool {
	if scheme != "DPoP" || jkt == "" {
		(&dpopError{code: "invalid_token", desc: "a DPoP-bound token must be used with the DPoP scheme, and only such a token"}).writeResource(w)
		return false
	}
	got, derr := p.checkDPoP(r, r.URL.Path, tok)
	switch {
	case derr != nil:
		derr.writeResource(w)
		return false
	case got == "":
		(&dpopError{code: "invalid_token", desc: "a DPoP proof is required with a DPoP-bound token"}).writeResource(w)
		return false
	case got != jkt:
		(&dpopError{code: "invalid_token", desc: "the DPoP proof is by another key than the token is bound to"}).writeResource(w)
		return false
	}
	return true
}
