package blueprint_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// RFC 6749 §5.1: expires_in is a lifetime in seconds. An absurdly large one
// from a buggy or hostile provider must not overflow into an expiry in the
// past (which would make every request refresh, or the token unusable): it
// is capped as x/oauth2 caps it, and the token is still valid a year on.
func TestHugeExpiresInDoesNotOverflow_RFC6749_5_1(t *testing.T) {
	for _, v := range []string{`9223372037`, `"9223372037"`} {
		a := newFuzzApp(func(url.Values) (int, string, []byte) {
			return 200, "application/json", []byte(`{"access_token":"at","token_type":"Bearer","expires_in":` + v + `}`)
		})
		state, jar := a.start(t, "/after")
		w := serve(a.engine, "GET", "/login/idp/authorized?"+url.Values{"state": {state}, "code": {"c"}}.Encode(), jar)
		if w.Code != http.StatusFound || a.stored == nil {
			t.Fatalf("expires_in %s: login %d %v", v, w.Code, a.err)
		}
		if a.stored.Expired(time.Now().AddDate(1, 0, 0), 0) {
			t.Errorf("expires_in %s: token expires at %v", v, a.stored.Expiry)
		}
	}
}
