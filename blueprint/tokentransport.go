package blueprint

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
)

// maxTokenRequest bounds the request body the provider transport rewrites:
// x/oauth2's forms are a few hundred bytes.
const maxTokenRequest = 64 << 10

// providerTransport adds to x/oauth2's token endpoint requests what
// x/oauth2 cannot: a client assertion (private_key_jwt, client_secret_jwt)
// in the form and a DPoP proof (RFC 9449 §5), both fresh for each attempt;
// a demand for a DPoP nonce (§8) is retried once with it. It sits below the
// capturing transport, so that what is captured is the answer to the
// request as sent.
type providerTransport struct {
	base http.RoundTripper
	p    *oauth2Protocol
	ep   Endpoints
	dpop *dpopKey // nil: no DPoP
}

func (t *providerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if (!t.p.jwtAuth() && t.dpop == nil) || req.Body == nil {
		return t.base.RoundTrip(req)
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxTokenRequest))
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	resp, err := t.attempt(req, body)
	if err != nil || t.dpop == nil || !useNonceAtTokenEndpoint(resp) {
		return resp, err
	}
	resp.Body.Close()
	return t.attempt(req, body) // the nonce is remembered now
}

// attempt sends one copy of req with body, authenticated and with a proof.
func (t *providerTransport) attempt(req *http.Request, body []byte) (*http.Response, error) {
	r := req.Clone(req.Context())
	if t.p.jwtAuth() {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		if err := t.p.authenticate(r, form, t.ep); err != nil {
			return nil, err
		}
		body = []byte(form.Encode())
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if t.dpop != nil {
		proof, err := t.dpop.proof(r.Method, r.URL, "", t.p.tokenNonces.get(r.URL))
		if err != nil {
			return nil, err
		}
		r.Header.Set("DPoP", proof)
	}
	resp, err := t.base.RoundTrip(r)
	if err == nil && t.dpop != nil {
		t.p.tokenNonces.update(r.URL, resp)
	}
	return resp, err
}

// endpointURL is u without query and fragment.
func endpointURL(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment, c.RawFragment = "", "", ""
	return c.String()
}
