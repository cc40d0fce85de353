package blueprint

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
)

// dialHost returns host (a URL's Hostname) as net/http will both dial it
// and name it in the request, lower-cased for comparison; the host guard
// compares only this form.
//
// net/http dials a non-ASCII host after IDNA's Lookup profile (UTS #46
// mapping: U+0130 becomes "i" and a combining dot, U+212A KELVIN SIGN "k",
// fullwidth letters their ASCII twins, joiners vanish), but writes it into
// the Host header and a proxy's request line after the Punycode profile,
// which maps nothing. A non-ASCII host is therefore accepted only when the
// two agree, as they do for an IDN in its normal form ("bücher.example");
// for a look-alike they name two different hosts and it is an error. An
// ASCII host is what net/http dials and sends as it is: it is only
// lower-cased (DNS names and IPv6 hex digits ignore case; an IPv6 zone,
// an interface name, keeps its case). A trailing dot is kept: "a.example."
// and "a.example" are different hosts to the guard.
func dialHost(host string) (string, error) {
	if isASCII(host) {
		addr, zone, hasZone := strings.Cut(host, "%")
		if hasZone {
			return asciiLower(addr) + "%" + zone, nil
		}
		return asciiLower(host), nil
	}
	dialed, err := idna.Lookup.ToASCII(host)
	if err != nil {
		return "", fmt.Errorf("host %q is not a valid internationalised domain name", host)
	}
	sent, err := idna.Punycode.ToASCII(host)
	if err != nil || sent != dialed {
		return "", fmt.Errorf("host %q would be dialed as %q but named %q in the request", host, dialed, sent)
	}
	return dialed, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// asciiLower lower-cases the ASCII letters of s and nothing else
// (strings.ToLower maps U+0130 and U+212A to ASCII letters).
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// hostOrigin is where a request goes: scheme, host (as dialHost gives it)
// and port (the scheme's default filled in), compared as fields, never
// joined into one string that an IPv6 address could forge.
type hostOrigin struct{ scheme, host, port string }

// originOf returns the origin a request for u goes to.
func originOf(u *url.URL) (hostOrigin, error) {
	host, err := dialHost(u.Hostname())
	if err != nil {
		return hostOrigin{}, err
	}
	scheme := asciiLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return hostOrigin{scheme: scheme, host: host, port: port}, nil
}

// String is the origin as a URL prefix, for messages and as a map key
// where a string is wanted (DPoP nonces).
func (o hostOrigin) String() string {
	return o.scheme + "://" + net.JoinHostPort(o.host, o.port)
}

// origin is u's origin as a string ("" when u's host is refused by
// dialHost), for keying per-origin state such as DPoP nonces.
func origin(u *url.URL) string {
	o, err := originOf(u)
	if err != nil {
		return ""
	}
	return o.String()
}

// originSet is the host guard: the origins a token may be sent to (the
// API's and AllowedHosts). Every path that sends a token, or follows a
// redirect with one, asks check first.
type originSet map[hostOrigin]bool

// add parses raw, a configured URL (APIBaseURL, an AllowedHosts entry),
// and admits its origin. It returns raw's URL with the host in the ASCII
// form net/http dials, so that requests built on it name that host.
func (s originSet) add(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, errors.New("is not an absolute URL")
	}
	o, err := originOf(u)
	if err != nil {
		return nil, err
	}
	if u.Host, err = asciiHost(u); err != nil {
		return nil, err
	}
	s[o] = true
	return u, nil
}

// check returns an ErrForeignHost error unless a request for u goes to
// one of the set's origins.
func (s originSet) check(u *url.URL) error {
	o, err := originOf(u)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrForeignHost, err)
	}
	if !s[o] {
		return fmt.Errorf("%w: %s", ErrForeignHost, o)
	}
	return nil
}

// apiRedirect is the API client's CheckRedirect: a redirect is followed
// only to one of the set's origins, then by the app's own rule (next) or
// net/http's limit of 10.
func (s originSet) apiRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if err := s.check(req.URL); err != nil {
			return fmt.Errorf("redirect: %w", err)
		}
		return followRedirect(next, req, via)
	}
}

// providerRedirect is the CheckRedirect of token, revocation and PAR
// calls, which carry codes, PKCE verifiers, refresh tokens and client
// secrets in the body that a 307 or 308 would re-post: a redirect is
// followed only to the origin the call was made to.
func providerRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		first, err := originOf(via[0].URL)
		if err == nil {
			err = originSet{first: true}.check(req.URL)
		}
		if err != nil {
			return fmt.Errorf("the provider redirected: %w", err)
		}
		return followRedirect(next, req, via)
	}
}

// followRedirect applies the app's CheckRedirect, or net/http's default
// limit of 10 redirects.
func followRedirect(next func(*http.Request, []*http.Request) error, req *http.Request, via []*http.Request) error {
	if next != nil {
		return next(req, via)
	}
	if len(via) >= 10 {
		return errors.New("gindance: stopped after 10 redirects")
	}
	return nil
}

// sameDomainOrSub is net/http's rule for copying Authorization on a
// redirect, on the hosts as dialHost gives them: sub is parent or a
// subdomain of it. An IP address (or anything with a zone) is never a
// subdomain.
func sameDomainOrSub(sub, parent string) bool {
	s, err := dialHost(sub)
	if err != nil {
		return false
	}
	p, err := dialHost(parent)
	if err != nil {
		return false
	}
	if s == p {
		return true
	}
	return !strings.ContainsAny(s, ":%") && strings.HasSuffix(s, "."+p)
}

// targetURI is the URI a request for u is sent to, without query and
// fragment: the htu of a DPoP proof (RFC 9449 §4.2), which the server
// compares with the URI it received. A non-ASCII host is named in the
// ASCII form net/http sends (dialHost); an ASCII one as it is.
func targetURI(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment, c.RawFragment = "", "", ""
	if h, err := asciiHost(&c); err == nil {
		c.Host = h
	}
	return c.String()
}

// asciiHost is u.Host with a non-ASCII host in the ASCII form net/http
// sends (dialHost), the port kept.
func asciiHost(u *url.URL) (string, error) {
	if isASCII(u.Host) {
		return u.Host, nil
	}
	h, err := dialHost(u.Hostname())
	if err != nil {
		return "", err
	}
	if p := u.Port(); p != "" {
		return net.JoinHostPort(h, p), nil
	}
	return h, nil
}
