package gintest

import (
	"crypto"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// dpopWindow is how far a DPoP proof's iat may be from the provider's
// clock (RFC 9449 §11.1 leaves it to the server).
const dpopWindow = 60 * time.Second

// dpopClaims are a proof's claims (RFC 9449 §4.2).
type dpopClaims struct {
	ID       string           `json:"jti"`
	Method   string           `json:"htm"`
	URI      string           `json:"htu"`
	IssuedAt *jwt.NumericDate `json:"iat"`
	Nonce    string           `json:"nonce"`
	ATH      string           `json:"ath"`
}

// nonceServer names which server issued a DPoP nonce: the authorization
// server (/token) and the resource server (the API) keep their own (RFC
// 9449 §8, §9), so that a client mixing them up is refused, as it would be
// where the two are separate deployments behind one origin.
type nonceServer string

const (
	authServer     nonceServer = "as"
	resourceServer nonceServer = "rs"
)

// dpopError is a refused proof: the error code and, for a nonce demand, a
// fresh nonce to send along.
type dpopError struct {
	code, desc string
	nonce      string
}

// checkDPoP verifies the request's DPoP proof (RFC 9449 §4.3) for the
// endpoint path and, at the resource server, the access token (ath). It
// returns the JWK thumbprint of the proof's key (§6.1), "" when the request
// has no proof. A proof with an access token is for the resource server,
// one without for the authorization server; each wants its own nonces.
func (p *Provider) checkDPoP(r *http.Request, path, accessToken string) (string, *dpopError) {
	server := authServer
	if accessToken != "" {
		server = resourceServer
	}
	headers := r.Header.Values("DPoP")
	if len(headers) == 0 {
		return "", nil
	}
	bad := func(desc string) (string, *dpopError) {
		return "", &dpopError{code: "invalid_dpop_proof", desc: desc}
	}
	if len(headers) != 1 { // §4.3 item 1
		return bad("more than one DPoP header")
	}
	tok, err := jwt.ParseSigned(headers[0], asymmetricAlgs) // item 5: no none, no MAC
	if err != nil || len(tok.Headers) != 1 {
		return bad("the DPoP proof is not a JWT signed with an asymmetric algorithm")
	}
	h := tok.Headers[0]
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "dpop+jwt" { // item 4
		return bad("the DPoP proof's typ is not dpop+jwt")
	}
	if h.JSONWebKey == nil || !h.JSONWebKey.IsPublic() || !h.JSONWebKey.Valid() { // item 7
		return bad("the DPoP proof has no public jwk header")
	}
	var c dpopClaims
	if err := tok.Claims(h.JSONWebKey.Key, &c); err != nil { // item 6
		return bad("the DPoP proof's signature does not verify with its jwk")
	}
	now := p.now()
	switch {
	case c.ID == "" || c.Method == "" || c.URI == "" || c.IssuedAt == nil: // item 3
		return bad("the DPoP proof lacks jti, htm, htu or iat")
	case c.Method != r.Method: // item 8
		return bad("htm is not the request's method")
	case c.URI != p.URL()+path: // item 9: without query and fragment
		return bad("htu is not the request's URI")
	case c.IssuedAt.Time().Before(now.Add(-dpopWindow)) || c.IssuedAt.Time().After(now.Add(dpopWindow)): // item 11
		return bad("the DPoP proof's iat is outside the acceptable window")
	}
	if accessToken != "" { // item 12
		sum := sha256.Sum256([]byte(accessToken))
		if subtle.ConstantTimeCompare([]byte(c.ATH), []byte(base64.RawURLEncoding.EncodeToString(sum[:]))) != 1 {
			return bad("ath does not match the access token")
		}
	}
	if p.opts.DPoPNonce && !p.useNonce(server, c.Nonce) { // item 10, §8, §9
		return "", &dpopError{code: "use_dpop_nonce", desc: "a DPoP nonce from this server is required", nonce: p.issueNonce(server)}
	}
	if !p.useJTI("dpop\x00"+c.ID, now.Add(2*dpopWindow)) { // §11.1
		return bad("the DPoP proof was already used (jti replay)")
	}
	tp, err := h.JSONWebKey.Thumbprint(crypto.SHA256)
	if err != nil {
		return bad("the DPoP proof's jwk has no thumbprint")
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// issueNonce makes a nonce the next proof to server may carry (RFC 9449
// §8, §9).
func (p *Provider) issueNonce(server nonceServer) string {
	n := newSecret("")
	p.mu.Lock()
	p.dpopNonces[string(server)+"\x00"+n] = p.now().Add(5 * time.Minute)
	p.mu.Unlock()
	return n
}

// useNonce reports whether n is a nonce server issued and that is still
// valid; with Failure.DPoPNonceEveryCall it is used up.
func (p *Provider) useNonce(server nonceServer, n string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := string(server) + "\x00" + n
	exp, ok := p.dpopNonces[key]
	if !ok || !p.now().Before(exp) {
		return false
	}
	if p.knobs().DPoPNonceEveryCall {
		delete(p.dpopNonces, key)
	}
	return true
}

// nonceHeader adds a fresh DPoP-Nonce of server to a response when
// Failure.DPoPNonceEveryCall asks for a new one on every call.
func (p *Provider) nonceHeader(w http.ResponseWriter, server nonceServer) {
	if p.opts.DPoPNonce && p.knobs().DPoPNonceEveryCall && w.Header().Get("DPoP-Nonce") == "" {
		w.Header().Set("DPoP-Nonce", p.issueNonce(server))
	}
}

// writeToken answers a refused proof at /token (RFC 9449 §5, §8).
func (e *dpopError) writeToken(w http.ResponseWriter) {
	if e.nonce != "" {
		w.Header().Set("DPoP-Nonce", e.nonce)
	}
	(&oauthError{status: http.StatusBadRequest, code: e.code, description: e.desc}).write(w)
}

// writeResource answers a refused proof at the resource server with a
// DPoP challenge (RFC 9449 §7.1, §9).
func (e *dpopError) writeResource(w http.ResponseWriter) {
	if e.nonce != "" {
		w.Header().Set("DPoP-Nonce", e.nonce)
	}
	w.Header().Set("WWW-Authenticate", `DPoP error="`+e.code+`", error_description="`+e.desc+`", algs="ES256 RS256 PS256 EdDSA"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": e.code, "error_description": e.desc})
}

// accessToken returns the request's access token and its scheme, Bearer
// or DPoP (RFC 6750 §2.1, RFC 9449 §7.1).
func accessTokenOf(r *http.Request) (scheme, tok string, ok bool) {
	scheme, tok, ok = strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	switch {
	case !ok || tok == "":
		return "", "", false
	case strings.EqualFold(scheme, "Bearer"):
		return "Bearer", tok, true
	case strings.EqualFold(scheme, "DPoP"):
		return "DPoP", tok, true
	}
	return "", "", false
}

// ExpireDPoPNonces forgets every DPoP nonce issued so far, as a server
// rotating its nonces does: the next proof carrying one is answered
// use_dpop_nonce with a new nonce.
func (p *Provider) ExpireDPoPNonces() {
	p.mu.Lock()
	clear(p.dpopNonces)
	p.mu.Unlock()
}
