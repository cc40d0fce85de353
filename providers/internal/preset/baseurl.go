package preset

import "strings"

// BaseURL returns the https base URL of a host name or URL an app gives for
// a tenant or a self-hosted server: "acme.okta.com",
// "https://acme.okta.com/" and "acme.okta.com/" all give
// "https://acme.okta.com"; an "http://" URL (a loopback test server) keeps
// its scheme. The scheme comes out in lower case, as issuers are compared
// exactly. "" gives "".
func BaseURL(hostOrURL string) string {
	s := strings.TrimRight(strings.TrimSpace(hostOrURL), "/")
	switch {
	case s == "":
		return s
	case hasScheme(s, "https://"):
		return "https://" + s[len("https://"):]
	case hasScheme(s, "http://"):
		return "http://" + s[len("http://"):]
	}
	return "https://" + s
}

// hasScheme reports whether s starts with scheme, in any case (RFC 3986
// §3.1).
func hasScheme(s, scheme string) bool {
	return len(s) >= len(scheme) && strings.EqualFold(s[:len(scheme)], scheme)
}
