package gintest

import (
	"net/http"
	"net/url"
)

// handlePAR serves the OIDCProvider's POST /par (RFC 9126 §2): the client
// authenticates as at /token; the parameters are kept for one use of the
// returned request_uri.
func (p *OIDCProvider) handlePAR(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if r.ParseForm() != nil || !p.clientOK(r) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	if r.PostForm.Has("request_uri") || r.PostForm.Get("client_id") != p.opts.ClientID {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	params := url.Values{}
	for k, v := range r.PostForm {
		if k != "client_secret" {
			params[k] = v
		}
	}
	uri := requestURIPrefix + newSecret("")
	p.mu.Lock()
	p.pushed[uri] = &pushedRequest{clientID: p.opts.ClientID, params: params, expires: p.opts.Now().Add(parLifetime)}
	p.mu.Unlock()
	writeJSON(w, http.StatusCreated, parResponse{RequestURI: uri, ExpiresIn: int64(parLifetime.Seconds())})
}

// pushedParams resolves a request_uri (RFC 9126 §4), once; false when it
// is unknown, expired, for another client, or missing under RequirePAR.
func (p *OIDCProvider) pushedParams(q url.Values) (url.Values, bool) {
	uri := q.Get("request_uri")
	if uri == "" {
		return q, !p.opts.RequirePAR
	}
	p.mu.Lock()
	pr := p.pushed[uri]
	delete(p.pushed, uri)
	p.mu.Unlock()
	if pr == nil || !p.opts.Now().Before(pr.expires) || q.Get("client_id") != pr.clientID {
		return nil, false
	}
	return pr.params, true
}
