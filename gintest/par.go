package gintest

import (
	"net/http"
	"net/url"
	"time"
)

// parLifetime is how long a request_uri from /par can be used (RFC 9126
// §2.2 suggests 5 to 600 seconds).
const parLifetime = 60 * time.Second

// requestURIPrefix starts every request_uri (RFC 9126 §2.2).
const requestURIPrefix = "urn:ietf:params:oauth:request_uri:"

// pushedRequest is an authorization request pushed to /par.
type pushedRequest struct {
	clientID string
	params   url.Values
	expires  time.Time
}

// parResponse is RFC 9126 §2.2's success body.
type parResponse struct {
	RequestURI string `json:"request_uri"`
	ExpiresIn  int64  `json:"expires_in"`
}

// handlePAR serves POST /par (RFC 9126 §2): the client authenticates as
// at /token, the authorization request is validated as /authorize would,
// and a single-use request_uri is returned for the browser.
func (p *Provider) handlePAR(w http.ResponseWriter, r *http.Request) {
	p.count(EndpointPAR)
	form, oerr := parsePostForm(w, r)
	if oerr != nil {
		oerr.write(w)
		return
	}
	if f := p.knobs(); f.PARError != "" {
		(&oauthError{status: http.StatusBadRequest, code: f.PARError, description: "injected by gintest Failure.PARError"}).write(w)
		return
	}
	client, oerr := p.authenticateClient(r, form)
	if oerr != nil {
		oerr.write(w)
		return
	}
	if form.Has("request_uri") { // §2.1
		errInvalidRequest("request_uri must not be pushed").write(w)
		return
	}
	params := url.Values{}
	for k, v := range form {
		switch k {
		case "client_secret", "client_assertion", "client_assertion_type":
		default:
			params[k] = v
		}
	}
	if params.Get("client_id") != client.ID { // §2.1: the client_id is the authenticated client's
		errInvalidRequest("client_id is not the authenticated client").write(w)
		return
	}
	ar, msg := p.checkClient(params)
	if msg != "" {
		errInvalidRequest(msg).write(w)
		return
	}
	if code, desc := p.checkRequest(ar, params); code != "" {
		(&oauthError{status: http.StatusBadRequest, code: code, description: desc}).write(w)
		return
	}
	uri := requestURIPrefix + newSecret("")
	p.mu.Lock()
	p.pushed[uri] = &pushedRequest{clientID: client.ID, params: params, expires: p.now().Add(parLifetime)}
	p.mu.Unlock()
	writeJSON(w, http.StatusCreated, parResponse{RequestURI: uri, ExpiresIn: int64(parLifetime / time.Second)})
}

// pushedParams replaces an authorization request that names a
// request_uri by the pushed one (RFC 9126 §4): client_id must match, and
// the request_uri is used once. A message is returned for the error page
// when it cannot be used. Without a request_uri, q is returned as it is,
// unless Options.RequirePAR (§5: require_pushed_authorization_requests).
func (p *Provider) pushedParams(q url.Values) (url.Values, string) {
	uri := q.Get("request_uri")
	if uri == "" {
		if p.opts.RequirePAR {
			return nil, "This provider requires pushed authorization requests (RFC 9126): the request has no request_uri."
		}
		return q, ""
	}
	p.mu.Lock()
	pr := p.pushed[uri]
	delete(p.pushed, uri)
	p.mu.Unlock()
	switch {
	case pr == nil:
		return nil, "The request_uri is unknown or was already used."
	case !p.now().Before(pr.expires):
		return nil, "The request_uri expired."
	case q.Get("client_id") != pr.clientID:
		return nil, "The client_id differs from the pushed request's."
	}
	return pr.params, ""
}

// PARURL returns the RFC 9126 pushed authorization request endpoint,
// URL()+"/par".
func (p *Provider) PARURL() string { return p.URL() + "/par" }
