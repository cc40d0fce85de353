package blueprint

import "net/http"

// invalidToken reports whether an API's WWW-Authenticate challenges say
// the access token is invalid: a Bearer (RFC 6750 §3.1) or DPoP (RFC 9449
// §7.1) challenge with error="invalid_token", wherever it stands among the
// challenges of the field (RFC 9110 §11.6.1).
func invalidToken(h http.Header) bool {
	for _, ch := range parseChallenges(h.Values("WWW-Authenticate")) {
		if (ch.is("Bearer") || ch.is(dpopScheme)) && ch.param("error") == "invalid_token" {
			return true
		}
	}
	return false
}
