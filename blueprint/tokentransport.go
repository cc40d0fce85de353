package blueprint

import (
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxTokenRequest bounds the request body the provider transport rewrites:
// x/oauth2's forms are a few hundred bytes.
const maxTokenRequest = 64 << 10

// providerTransport adds to x/oauth2's token endpoint requests what
// x/oauth2 cannot: a client assertion (private_key_jwt, client_secret_jwt)
// in the form. It sits below the capturing transport, so that what is
// captured is the answer to the request as sent.
type providerTransport struct {
	base http.RoundTripper
	p    *oauth2Protocol
	ep   Endpoints
}

func (t *providerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.p.jwtAuth() || req.Body == nil {
		return t.base.RoundTrip(req)
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxTokenRequest))
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	if err := t.p.authenticate(r, form, t.ep, endpointURL(req.URL)); err != nil {
		return nil, err
	}
	enc := form.Encode()
	r.Body = io.NopCloser(strings.NewReader(enc))
	r.ContentLength = int64(len(enc))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(enc)), nil }
	return t.base.RoundTrip(r)
}

// endpointURL is u without query and fragment.
func endpointURL(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment, c.RawFragment = "", "", ""
	return c.String()
}
