package gintest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// pushAuth pushes a valid authorization request for the default client
// and returns the status and the decoded answer.
func pushAuth(t *testing.T, p *Provider, auth bool, extra url.Values) (int, map[string]any) {
	t.Helper()
	form := url.Values{"response_type": {"code"}, "client_id": {DefaultClientID}, "redirect_uri": {testRedirect},
		"state": {"s1"}, "code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"S256"}}
	for k, v := range extra {
		form[k] = v
	}
	return postForm(t, p.PARURL(), form, auth)
}

// authorizeStatus GETs /authorize with q, not following the redirect.
func authorizeStatus(t *testing.T, p *Provider, q url.Values) int {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(p.AuthURL() + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// RFC 9126 §2.1-§2.2 and §4: /par authenticates the client and answers 201
// with a request_uri, which /authorize accepts once, for the same client;
// with RequirePAR (§5) a front-channel request is refused.
func TestProviderPAR_RFC9126(t *testing.T) {
	p := start(t, Options{User: ada(), RequirePAR: true})
	if st, _ := pushAuth(t, p, false, nil); st != http.StatusUnauthorized {
		t.Fatalf("unauthenticated push: %d", st)
	}
	if st, _ := pushAuth(t, p, true, url.Values{"request_uri": {"urn:x"}}); st != http.StatusBadRequest {
		t.Fatalf("pushed request_uri: %d", st)
	}
	st, body := pushAuth(t, p, true, nil)
	uri, _ := body["request_uri"].(string)
	if st != http.StatusCreated || !strings.HasPrefix(uri, requestURIPrefix) || body["expires_in"] == nil {
		t.Fatalf("push: %d %v", st, body)
	}
	if got := authorizeStatus(t, p, url.Values{"client_id": {"other"}, "request_uri": {uri}}); got != http.StatusBadRequest {
		t.Fatalf("another client_id: %d", got)
	}
	_, body = pushAuth(t, p, true, nil)
	uri = body["request_uri"].(string)
	if got := authorizeStatus(t, p, url.Values{"client_id": {DefaultClientID}, "request_uri": {uri}}); got != http.StatusFound {
		t.Fatalf("pushed request: %d", got)
	}
	if got := authorizeStatus(t, p, url.Values{"client_id": {DefaultClientID}, "request_uri": {uri}}); got != http.StatusBadRequest {
		t.Fatalf("request_uri reused: %d", got)
	}
	front := url.Values{"response_type": {"code"}, "client_id": {DefaultClientID}, "redirect_uri": {testRedirect},
		"code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"S256"}}
	if got := authorizeStatus(t, p, front); got != http.StatusBadRequest {
		t.Fatalf("front-channel request with RequirePAR: %d", got)
	}
}
