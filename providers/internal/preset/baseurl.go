package preset

import "strings"

// BaseURL returns the https base URL of a host name or URL an app gives for
// a tenant or a self-hosted server: "acme.okta.com",
// "https://acme.okta.com/" and "acme.okta.com/" all give
// "https://acme.okta.com"; an "http://" URL (a loopback test server) keeps
// its scheme. "" gives "".
func BaseURL(hostOrURL string) string {
	s := strings.TrimRight(strings.TrimSpace(hostOrURL), "/")
	if s == "" || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		return s
	}
	return "https://" + s
}
