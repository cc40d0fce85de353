package gintest

import (
	"net/http"
	"net/url"
)

// authParams are the /authorize parameters the provider reads, and that
// the sign-in form carries in hidden fields.
var authParams = [...]string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method", "response_mode"}

// authRequest is a validated authorization request (RFC 6749 §4.1.1).
type authRequest struct {
	client        Client
	redirectURI   string
	redirectGiven bool
	state         string
	scope         string
	challenge     string
	method        string
	formPost      bool       // response_mode=form_post
	params        url.Values // the request's own parameters
}

// handleAuthorize serves GET and POST /authorize. The client and
// redirect_uri are checked first and failures get a 400 page, never a
// redirect (RFC 6749 §4.1.2.1, RFC 9700 §4.11); later failures redirect
// back with error and state.
func (p *Provider) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	p.count(EndpointAuthorize)
	var q url.Values
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			errorPage(w, "The sign-in form could not be read.")
			return
		}
		q = r.PostForm
	} else {
		var msg string
		if q, msg = p.pushedParams(r.URL.Query()); msg != "" {
			errorPage(w, msg)
			return
		}
	}
	ar, msg := p.checkClient(q)
	if msg != "" {
		errorPage(w, msg)
		return
	}
	if code, desc := p.checkRequest(ar, q); code != "" {
		p.redirectError(w, r, ar, code, desc)
		return
	}
	switch f := p.knobs(); {
	case f.Deny:
		p.redirectError(w, r, ar, "access_denied", "the user denied the request (gintest Failure.Deny)")
		return
	case f.AuthorizeError != "":
		p.redirectError(w, r, ar, f.AuthorizeError, "injected by gintest Failure.AuthorizeError")
		return
	}
	if u := p.currentUser(); u != nil {
		p.approve(w, r, ar, *u)
		return
	}
	if r.Method == http.MethodGet {
		p.showForm(w, r, ar, "", "", http.StatusOK)
		return
	}
	p.submitForm(w, r, ar, q)
}

// checkClient validates client_id and redirect_uri: what must hold before
// the provider may redirect anywhere. It returns a message for the error
// page when they do not.
func (p *Provider) checkClient(q url.Values) (*authRequest, string) {
	if len(q["client_id"]) > 1 || len(q["redirect_uri"]) > 1 {
		return nil, "The request repeats client_id or redirect_uri."
	}
	id := q.Get("client_id")
	if id == "" {
		return nil, "The request has no client_id."
	}
	c, ok := p.clients[id]
	if !ok {
		return nil, "The client " + id + " is not registered with this provider."
	}
	ar := &authRequest{client: c, params: q}
	ar.redirectURI = q.Get("redirect_uri")
	ar.redirectGiven = ar.redirectURI != ""
	if !ar.redirectGiven {
		if len(c.RedirectURIs) != 1 {
			return nil, "The request has no redirect_uri, and the client has no single registered one to default to."
		}
		ar.redirectURI = c.RedirectURIs[0]
	}
	if !c.allowsRedirect(ar.redirectURI) {
		return nil, "The redirect_uri " + ar.redirectURI + " is not registered for the client " + id + "."
	}
	return ar, ""
}

// checkRequest validates the rest of the request and fills in ar. A
// non-empty code is an RFC 6749 §4.1.2.1 error to redirect with.
func (p *Provider) checkRequest(ar *authRequest, q url.Values) (code, desc string) {
	for _, k := range authParams {
		if len(q[k]) > 1 {
			return "invalid_request", "parameter " + k + " repeated"
		}
	}
	ar.state = q.Get("state")
	switch q.Get("response_mode") {
	case "", "query":
	case ResponseModeFormPost:
		ar.formPost = true
	default:
		return "invalid_request", "unsupported response_mode " + q.Get("response_mode") + " (query and form_post are)"
	}
	if rt := q.Get("response_type"); rt != "code" {
		if rt == "" {
			return "invalid_request", "missing response_type"
		}
		return "unsupported_response_type", "only response_type=code is supported"
	}
	ar.scope = p.opts.TokenQuirks.parseScope(q.Get("scope"))
	if ar.scope == "" {
		ar.scope = joinScopes(p.opts.Scopes)
	}
	ar.challenge = q.Get("code_challenge")
	ar.method = q.Get("code_challenge_method")
	if ar.challenge == "" {
		if ar.method != "" {
			return "invalid_request", "code_challenge_method without code_challenge"
		}
		if !p.opts.AllowMissingPKCE {
			return "invalid_request", "code_challenge is required (PKCE, RFC 7636 with S256)"
		}
		if ar.client.Secret == "" {
			return "invalid_request", "public clients must use PKCE"
		}
		return "", ""
	}
	if ar.method == "" {
		ar.method = "plain" // RFC 7636 §4.3
	}
	switch ar.method {
	case "S256":
	case "plain":
		if !p.opts.AllowMissingPKCE {
			return "invalid_request", "code_challenge_method must be S256"
		}
	default:
		return "invalid_request", "unsupported code_challenge_method " + ar.method
	}
	if !validPKCEValue(ar.challenge) {
		return "invalid_request", "malformed code_challenge"
	}
	return "", ""
}

// approve issues an authorization code for u and redirects back with it
// (RFC 6749 §4.1.2).
func (p *Provider) approve(w http.ResponseWriter, r *http.Request, ar *authRequest, u User) {
	code := newSecret("gtc_")
	q := p.opts.TokenQuirks
	scope := q.grantedScope(ar.scope)
	p.mu.Lock()
	p.codes[code] = &authCode{
		clientID:      ar.client.ID,
		redirectURI:   ar.redirectURI,
		redirectGiven: ar.redirectGiven,
		challenge:     ar.challenge,
		method:        ar.method,
		scope:         scope,
		user:          u,
		expires:       p.now().Add(codeLifetime),
	}
	p.mu.Unlock()
	params := url.Values{"code": {code}}
	if q.ScopeInRedirect {
		params.Set("scope", q.formatScope(scope))
	}
	p.redirect(w, r, ar, params)
}

func (p *Provider) redirectError(w http.ResponseWriter, r *http.Request, ar *authRequest, code, desc string) {
	p.redirect(w, r, ar, url.Values{"error": {code}, "error_description": {desc}})
}

// redirect sends the user agent back to the client with params, state
// and the issuer (RFC 9207). A POST is answered 303 so that the browser
// does not re-post the form (RFC 9700 §4.12). With response_mode=form_post
// the answer is instead a page that posts them to the redirect URI.
func (p *Provider) redirect(w http.ResponseWriter, r *http.Request, ar *authRequest, params url.Values) {
	u, err := url.Parse(ar.redirectURI)
	if err != nil {
		errorPage(w, "The redirect_uri cannot be parsed.")
		return
	}
	if ar.state != "" {
		params.Set("state", ar.state)
	}
	if iss := p.URL(); iss != "" {
		params.Set("iss", iss)
	}
	if ar.formPost {
		writeFormPost(w, ar.redirectURI, params)
		return
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	status := http.StatusFound
	if r.Method == http.MethodPost {
		status = http.StatusSeeOther
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), status)
}
