package presettest

import (
	"slices"
	"strings"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// WantOIDCLogin fails t unless the login l through an OpenID Connect preset
// succeeded with the authorization request an OpenID Provider expects:
// response_type=code, exactly the given scopes in order, a state and a nonce,
// and PKCE S256 unless noPKCE. It returns the single token request.
func WantOIDCLogin(t testing.TB, l *Login, scope string, noPKCE bool) Request {
	t.Helper()
	if l.Status != 200 || l.Identity == nil {
		t.Fatalf("login: %d %q, identity %+v (%v)", l.Status, l.Body, l.Identity, l.IdentityErr)
	}
	q := l.Authorize
	if q.Get("response_type") != "code" || q.Get("scope") != scope || q.Get("state") == "" || q.Get("nonce") == "" {
		t.Errorf("authorization request %v: want response_type=code, scope %q, state and nonce", q, scope)
	}
	if pkce := q.Get("code_challenge_method") == "S256" && q.Get("code_challenge") != ""; pkce == noPKCE {
		t.Errorf("authorization request %v: PKCE S256 %v, want %v", q, pkce, !noPKCE)
	}
	var tok []Request
	for _, r := range l.Requests {
		if r.Method == "POST" && r.Form.Get("grant_type") == "authorization_code" {
			tok = append(tok, r)
		}
	}
	if len(tok) != 1 {
		t.Fatalf("%d code exchanges, want 1: %+v", len(tok), l.Requests)
	}
	if (tok[0].Form.Get("code_verifier") != "") == noPKCE {
		t.Errorf("token request %v: code_verifier sent %v, want %v", tok[0].Form, !noPKCE, !noPKCE)
	}
	return tok[0]
}

// WantClientAuth fails t unless the token request r authenticated the
// default gintest client with method: client_secret_basic (an
// Authorization header, no secret in the body) or client_secret_post (the
// secret in the body, no Authorization header).
func WantClientAuth(t testing.TB, r Request, method blueprint.TokenAuthMethod) {
	t.Helper()
	basic := strings.HasPrefix(r.Header.Get("Authorization"), "Basic ")
	post := r.Form.Get("client_id") == gintest.DefaultClientID && r.Form.Get("client_secret") == gintest.DefaultClientSecret
	switch {
	case method == blueprint.ClientSecretBasic && (!basic || r.Form.Has("client_secret")):
		t.Errorf("token request: want client_secret_basic, got header %q, form %v", r.Header.Get("Authorization"), r.Form)
	case method == blueprint.ClientSecretPost && (!post || basic):
		t.Errorf("token request: want client_secret_post, got header %q, form %v", r.Header.Get("Authorization"), r.Form)
	}
}

// WantIdentity fails t unless got has want's ID, Username, Name, Email,
// EmailVerified and AvatarURL.
func WantIdentity(t testing.TB, got *blueprint.Identity, want blueprint.Identity) {
	t.Helper()
	if got == nil {
		t.Fatal("no identity")
	}
	g := []string{got.ID, got.Username, got.Name, got.Email, got.AvatarURL}
	w := []string{want.ID, want.Username, want.Name, want.Email, want.AvatarURL}
	if !slices.Equal(g, w) || got.EmailVerified != want.EmailVerified {
		t.Errorf("identity (ID, Username, Name, Email, Avatar) = %q verified %v, want %q verified %v", g, got.EmailVerified, w, want.EmailVerified)
	}
}

// WantLogoutRevokes fails t unless Logout after the login l succeeds and
// revokes exactly one token at the fake OpenID Provider (started with
// gintest.OIDCQuirks.Revocation), the refresh token when l has one.
func (f *Fake) WantLogoutRevokes(t testing.TB, l *Login) {
	t.Helper()
	_, err := l.Logout(t)
	revoked := f.OIDC.Revocations()
	want := l.Token.AccessToken
	if l.Token.RefreshToken != "" {
		want = l.Token.RefreshToken
	}
	if err != nil || len(revoked) != 1 || revoked[0].Get("token") != want {
		t.Fatalf("logout: %v, revocations %v", err, revoked)
	}
}
