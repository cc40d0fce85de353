package gintest

import (
	"net/http"
	"testing"
)

// RFC 6750 §2.1 and §3: the bearer token goes in the Authorization
// header; without a valid one the answer is 401 with a Bearer challenge.
func TestAPIMeBearer_RFC6750_3(t *testing.T) {
	p := start(t, Options{User: ada()})
	tok := login(t, config(p))
	for name, token := range map[string]string{"missing": "", "unknown": "gta_nope"} {
		status, _, h := me(t, p, token)
		if status != http.StatusUnauthorized || !contains(h.Get("WWW-Authenticate"), `Bearer`) || !contains(h.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("%s token: %d %q, want 401 with Bearer error=invalid_token", name, status, h.Get("WWW-Authenticate"))
		}
	}
	// A refresh token is not an access token.
	if status, _, _ := me(t, p, tok.RefreshToken); status != http.StatusUnauthorized {
		t.Errorf("refresh token as bearer: %d, want 401", status)
	}
	// Scheme is case-insensitive (RFC 9110 §11.1).
	req, _ := http.NewRequest(http.MethodGet, p.APIBaseURL()+"me", nil)
	req.Header.Set("Authorization", "bearer "+tok.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("lower-case bearer scheme: %d", resp.StatusCode)
	}
}

// RFC 9700 §4.3.2 (and RFC 6750 §2.3): access tokens in the query string
// are not accepted.
func TestAPIMeRejectsQueryToken_RFC9700(t *testing.T) {
	p := start(t, Options{User: ada()})
	tok := login(t, config(p))
	resp, err := http.Get(p.APIBaseURL() + "me?access_token=" + tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("query token: status %d, want 401", resp.StatusCode)
	}
}
