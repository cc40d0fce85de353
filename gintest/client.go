package gintest

import (
	"crypto/subtle"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// oauthError is an RFC 6749 §5.2 error response.
type oauthError struct {
	status      int
	code        string
	description string
	basic       bool // client tried HTTP Basic: 401 carries WWW-Authenticate
}

func errInvalidRequest(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_request", description: desc}
}

func errInvalidGrant(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_grant", description: desc}
}

func (e *oauthError) write(w http.ResponseWriter) {
	if e.basic && e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="gintest"`)
	}
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.description})
}

// writeJSON writes v with the no-store headers RFC 6749 §5.1 asks of
// token responses.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// maxFormBytes bounds request bodies of the form endpoints.
const maxFormBytes = 64 << 10

// parsePostForm reads a bounded urlencoded body and refuses repeated
// parameters (RFC 6749 §3.1, §3.2).
func parsePostForm(w http.ResponseWriter, r *http.Request) (url.Values, *oauthError) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return nil, errInvalidRequest("malformed form body")
	}
	for k, v := range r.PostForm {
		if len(v) > 1 {
			return nil, errInvalidRequest("parameter " + k + " repeated")
		}
	}
	return r.PostForm, nil
}

// authenticateClient checks client_secret_basic or client_secret_post
// credentials (RFC 6749 §2.3.1), or a public client's bare client_id.
// Using both methods at once is refused.
func (p *Provider) authenticateClient(r *http.Request, form url.Values) (Client, *oauthError) {
	if form.Has("client_assertion") || form.Has("client_assertion_type") {
		return p.authenticateAssertion(r, form)
	}
	id, secret, basic := r.BasicAuth()
	method := "client_secret_post"
	if basic {
		method = "client_secret_basic"
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return Client{}, &oauthError{status: http.StatusUnauthorized, code: "invalid_client", description: "malformed HTTP Basic credentials", basic: true}
		}
		if form.Has("client_secret") {
			return Client{}, errInvalidRequest("client authenticated with both HTTP Basic and client_secret")
		}
		if fid := form.Get("client_id"); fid != "" && fid != id {
			return Client{}, errInvalidRequest("client_id differs from the HTTP Basic user")
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
		if secret == "" {
			method = "none"
		}
	}
	fail := &oauthError{status: http.StatusUnauthorized, code: "invalid_client", description: "client authentication failed", basic: basic}
	if id == "" {
		fail.description = "no client authentication"
		return Client{}, fail
	}
	c, ok := p.clients[id]
	if !ok {
		fail.description = "unknown client"
		return Client{}, fail
	}
	if c.AuthMethod != "" && c.AuthMethod != method {
		fail.description = "the client must authenticate with " + c.AuthMethod
		return Client{}, fail
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		return Client{}, fail
	}
	if oerr := p.opts.TokenQuirks.clientAuthAllowed(c, basic); oerr != nil {
		return Client{}, oerr
	}
	return c, nil
}

// allowsRedirect reports whether c may receive the user at raw.
func (c Client) allowsRedirect(raw string) bool {
	if len(c.RedirectURIs) > 0 {
		return slices.Contains(c.RedirectURIs, raw)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" || strings.Contains(raw, "#") {
		return false
	}
	switch h := u.Hostname(); h {
	case "localhost":
		return true
	default:
		ip := net.ParseIP(h)
		return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
	}
}

func joinScopes(s []string) string { return strings.Join(s, " ") }

// subsetScope reports whether every scope in req is in granted.
func subsetScope(req, granted string) bool {
	have := strings.Fields(granted)
	for _, s := range strings.Fields(req) {
		if !slices.Contains(have, s) {
			return false
		}
	}
	return true
}
