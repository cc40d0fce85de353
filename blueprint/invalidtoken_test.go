package blueprint

import (
	"net/http"
	"testing"
)

// RFC 6750 §3.1 and RFC 9449 §7.1 name invalid_token; RFC 9110 §11.6.1
// lets a field carry several challenges, in any order.
func TestInvalidTokenChallengeRFC6750And9110(t *testing.T) {
	for v, want := range map[string]bool{
		`Bearer realm="example", error="invalid_token", error_description="The access token expired"`: true,
		`Bearer error=invalid_token`:                                                            true,
		`bearer ERROR="invalid_token"`:                                                          true,
		`DPoP error="invalid_token", algs="ES256 PS256"`:                                        true,
		`Basic realm="x", Bearer realm="api", error="invalid_token"`:                            true,
		`Newauth realm="apps", type=1, title="Login to \"apps\"", Bearer error="invalid_token"`: true,
		`Basic YWxhZGRpbjpvcGVuc2VzYW1l, DPoP error="invalid_token"`:                            true,
		`Bearer, DPoP error="use_dpop_nonce", algs="ES256"`:                                     false,
		`Bearer realm="example"`:                                                                false,
		`Bearer error="insufficient_scope"`:                                                     false,
		`Bearer error_description="error=\"invalid_token\""`:                                    false,
		`Basic error="invalid_token"`:                                                           false,
		`Bearer error="invalid_token`:                                                           false,
		``:                                                                                      false,
	} {
		h := http.Header{"Www-Authenticate": {v}}
		if got := invalidToken(h); got != want {
			t.Errorf("%s: invalidToken %v, want %v", v, got, want)
		}
	}
	h := http.Header{"Www-Authenticate": {`Basic realm="x"`, `Bearer error="invalid_token"`}}
	if !invalidToken(h) {
		t.Error("a challenge in the second field line was missed")
	}
}
