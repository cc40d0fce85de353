package gintest

import (
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"
)

// RFC 7009 §2.1: revoking an access token ends it, and not its family.
func TestRevokeAccessToken_RFC7009_2_1(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	tok := login(t, conf)
	status, _ := postForm(t, p.RevokeURL(), url.Values{"token": {tok.AccessToken}, "token_type_hint": {"access_token"}}, true)
	if status != 200 {
		t.Fatalf("revoke status %d", status)
	}
	if !p.Revoked(tok.AccessToken) || p.Revoked(tok.RefreshToken) {
		t.Fatal("want only the access token revoked")
	}
	if s, _, _ := me(t, p, tok.AccessToken); s != http.StatusUnauthorized {
		t.Errorf("revoked access token: %d, want 401", s)
	}
	if _, err := conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Errorf("refresh after revoking the access token: %v", err)
	}
}

// RFC 7009 §2.1: revoking a refresh token also ends the access tokens of
// the same grant. The hint is only a hint (§2.1): a wrong one still works.
func TestRevokeRefreshToken_RFC7009_2_1(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	tok := login(t, conf)
	form := url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"access_token"},
		"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}
	if status, _ := postForm(t, p.RevokeURL(), form, false); status != 200 {
		t.Fatalf("revoke status %d", status)
	}
	_, err := conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	wantErrorCode(t, err, "invalid_grant")
	if s, _, _ := me(t, p, tok.AccessToken); s != http.StatusUnauthorized {
		t.Errorf("access token after its refresh token was revoked: %d, want 401", s)
	}
}

// RFC 7009 §2.2: unknown tokens get 200; §2.1: the client must
// authenticate; §2.2.1: errors are RFC 6749 §5.2 JSON.
func TestRevokeErrors_RFC7009_2_2(t *testing.T) {
	p := start(t, Options{User: ada(), Clients: []Client{{ID: DefaultClientID, Secret: DefaultClientSecret}, {ID: "other", Secret: "o"}}})
	tok := login(t, config(p))
	if status, _ := postForm(t, p.RevokeURL(), url.Values{"token": {"gta_unknown"}}, true); status != 200 {
		t.Errorf("unknown token: %d, want 200", status)
	}
	if status, body := postForm(t, p.RevokeURL(), url.Values{"token": {tok.AccessToken}}, false); status != 401 || body["error"] != "invalid_client" {
		t.Errorf("no client auth: %d %v, want 401 invalid_client", status, body)
	}
	if status, body := postForm(t, p.RevokeURL(), url.Values{}, true); status != 400 || body["error"] != "invalid_request" {
		t.Errorf("no token: %d %v, want 400 invalid_request", status, body)
	}
	// Another client cannot revoke this client's token.
	form := url.Values{"token": {tok.AccessToken}, "client_id": {"other"}, "client_secret": {"o"}}
	if status, _ := postForm(t, p.RevokeURL(), form, false); status != 200 {
		t.Errorf("other client's revoke: %d, want 200", status)
	}
	if p.Revoked(tok.AccessToken) {
		t.Error("another client revoked the token")
	}
	if p.Revoked("gta_unknown") {
		t.Error("Revoked true for an unknown token")
	}
}
