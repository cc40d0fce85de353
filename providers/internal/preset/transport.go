package preset

import (
	"net/http"
	"net/url"
	"strings"
)

// RoundTripFunc is an http.RoundTripper made of a function, for the small
// request rewrites presets need (a header, a query parameter).
type RoundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f RoundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// WrapTransport returns a copy of hc (nil: a new client) whose transport is
// wrap applied to hc's (nil: http.DefaultTransport). The app's client is
// left untouched, so it can be shared between blueprints.
func WrapTransport(hc *http.Client, wrap func(base http.RoundTripper) http.RoundTripper) *http.Client {
	if hc == nil {
		hc = &http.Client{}
	}
	c := *hc
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = wrap(base)
	return &c
}

// Origin returns the scheme://host of raw, lower-cased as net/url parses
// it, or "" when raw is not an absolute URL.
func Origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// IsURL reports whether req goes to target, ignoring the query.
func IsURL(req *http.Request, target string) bool {
	u := *req.URL
	u.RawQuery, u.Fragment = "", ""
	return u.String() == target
}

// IsOrigin reports whether req goes to origin (a scheme://host from
// Origin), without re-serialising or re-parsing the request's URL.
func IsOrigin(req *http.Request, origin string) bool {
	rest, ok := strings.CutPrefix(origin, req.URL.Scheme)
	if !ok {
		return false
	}
	host, ok := strings.CutPrefix(rest, "://")
	return ok && host == req.URL.Host // no concatenation: it runs on every API call
}
