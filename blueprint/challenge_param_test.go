package blueprint_test

import (
	"net/http"
	"testing"

	"github.com/gindance/gindance/blueprint"
)

// ChallengeParam finds a Bearer challenge's error (RFC 6750 §3) among
// several challenges in one field or several fields (RFC 9110 §11.6.1),
// not in another scheme's challenge or inside a quoted description.
func TestChallengeParamFindsBearerError_RFC6750_3(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  string
		ok    bool
	}{
		{[]string{`Bearer error="invalid_token"`}, "invalid_token", true},
		{[]string{`DPoP algs="ES256", error="use_dpop_nonce", Bearer realm="x", ERROR=insufficient_scope`}, "insufficient_scope", true},
		{[]string{`Basic realm="a"`, `bearer error_description="error=\"forged\"", error="invalid_request"`}, "invalid_request", true},
		{[]string{`Bearer realm="x"`, `Bearer error="second"`}, "", false},
		{[]string{`DPoP error="invalid_token"`}, "", false},
		{nil, "", false},
	} {
		h := http.Header{"Www-Authenticate": tc.lines}
		if got, ok := blueprint.ChallengeParam(h, "Bearer", "error"); got != tc.want || ok != tc.ok {
			t.Errorf("%q: %q, %v; want %q, %v", tc.lines, got, ok, tc.want, tc.ok)
		}
	}
}
