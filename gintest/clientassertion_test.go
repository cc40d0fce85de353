package gintest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// assertionFixture is a provider with one private_key_jwt client whose JWKS
// a test server publishes.
type assertionFixture struct {
	p   *Provider
	key *ecdsa.PrivateKey
}

func newAssertionFixture(t *testing.T) *assertionFixture {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	}))
	t.Cleanup(jwks.Close)
	p := start(t, Options{Clients: []Client{{ID: "c1", Secret: "s1", JWKSURL: jwks.URL, AuthMethod: "private_key_jwt"}}})
	return &assertionFixture{p: p, key: key}
}

// assertion signs claims with the client's key (kid k1).
func (f *assertionFixture) assertion(t *testing.T, claims map[string]any) string {
	return signTest(t, jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: f.key, KeyID: "k1"}}, nil, claims)
}

// signTest signs claims as a compact JWS.
func signTest(t *testing.T, key jose.SigningKey, opts *jose.SignerOptions, claims any) string {
	t.Helper()
	s, err := jose.NewSigner(key, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(claims)
	jws, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := jws.CompactSerialize()
	return out
}

// claims are valid assertion claims, changed by edit.
func (f *assertionFixture) claims(edit func(map[string]any)) map[string]any {
	now := time.Now()
	c := map[string]any{"iss": "c1", "sub": "c1", "aud": f.p.URL(), "jti": newSecret(""), "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
	if edit != nil {
		edit(c)
	}
	return c
}

// post sends a client_credentials request with the assertion and returns
// the status and error code.
func (f *assertionFixture) post(t *testing.T, assertion string, extra url.Values) (int, string) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {clientAssertionType}, "client_assertion": {assertion}}
	for k, v := range extra {
		form[k] = v
	}
	resp, err := http.Post(f.p.TokenURL(), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Error
}

// RFC 7523 §3: the provider accepts a well-formed assertion and refuses one
// that breaks each of the section's rules, as invalid_client.
func TestProviderVerifiesClientAssertion_RFC7523_3(t *testing.T) {
	f := newAssertionFixture(t)
	if st, code := f.post(t, f.assertion(t, f.claims(nil)), nil); st != http.StatusOK {
		t.Fatalf("valid assertion: %d %s", st, code)
	}
	if st, _ := f.post(t, f.assertion(t, f.claims(func(c map[string]any) { c["aud"] = f.p.TokenURL() })), nil); st != http.StatusOK {
		t.Fatalf("token endpoint URL as aud (RFC 7523 §3 item 3): %d", st)
	}
	cases := map[string]func(map[string]any){
		"item 1 iss":      func(c map[string]any) { c["iss"] = "c2" },
		"item 2 sub":      func(c map[string]any) { c["sub"] = "someone" },
		"item 3 aud":      func(c map[string]any) { c["aud"] = "https://other-as.example" },
		"item 4 expired":  func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() },
		"item 4 no exp":   func(c map[string]any) { delete(c, "exp") },
		"item 5 nbf":      func(c map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() },
		"OIDC §9 no jti":  func(c map[string]any) { delete(c, "jti") },
		"iat in a minute": func(c map[string]any) { c["iat"] = time.Now().Add(time.Minute).Unix() },
	}
	for name, edit := range cases {
		if st, code := f.post(t, f.assertion(t, f.claims(edit)), nil); st != http.StatusUnauthorized || code != "invalid_client" {
			t.Errorf("%s: %d %q, want 401 invalid_client", name, st, code)
		}
	}
	if st, _ := f.post(t, f.assertion(t, f.claims(nil)), url.Values{"client_id": {"c2"}}); st == http.StatusOK {
		t.Error("client_id differing from iss accepted")
	}
}

// RFC 7523 §3 item 7, OpenID Connect Core §9: a jti is used once; a
// captured assertion replayed is refused.
func TestProviderRefusesReplayedAssertion_RFC7523_3_7(t *testing.T) {
	f := newAssertionFixture(t)
	a := f.assertion(t, f.claims(nil))
	if st, _ := f.post(t, a, nil); st != http.StatusOK {
		t.Fatalf("first use: %d", st)
	}
	if st, code := f.post(t, a, nil); st != http.StatusUnauthorized || code != "invalid_client" {
		t.Fatalf("replay: %d %q", st, code)
	}
}

// A signature by a key the client's JWKS does not publish is refused, and
// AuthMethod private_key_jwt refuses the client's secret.
func TestProviderRequiresPrivateKeyJWT(t *testing.T) {
	f := newAssertionFixture(t)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	f.key = other
	if st, _ := f.post(t, f.assertion(t, f.claims(nil)), nil); st != http.StatusUnauthorized {
		t.Fatalf("foreign key: %d", st)
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	req, _ := http.NewRequest(http.MethodPost, f.p.TokenURL(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("c1", "s1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("client_secret_basic for a private_key_jwt client: %d", resp.StatusCode)
	}
}

// RFC 7523 §3 item 3 and RFC 9126 §2: at the revocation endpoint an
// assertion's aud is the issuer or the token endpoint's URL; the
// revocation URL itself, which no specification names, is refused.
func TestProviderAssertionAudienceAtRevocation_RFC7523_3(t *testing.T) {
	f := newAssertionFixture(t)
	for aud, want := range map[string]int{f.p.URL(): http.StatusOK, f.p.TokenURL(): http.StatusOK, f.p.RevokeURL(): http.StatusUnauthorized} {
		form := url.Values{"token": {"unknown"}, "client_assertion_type": {clientAssertionType},
			"client_assertion": {f.assertion(t, f.claims(func(c map[string]any) { c["aud"] = aud }))}}
		resp, err := http.Post(f.p.RevokeURL(), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("aud %s at /revoke: %d, want %d", aud, resp.StatusCode, want)
		}
	}
}
