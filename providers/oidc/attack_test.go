package oidc_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/oidc"
)

// The attacks of SECURITY.md's "OpenID Connect relying party" section.
// Each plays a hostile or broken provider against a real app and asserts
// what the user sees: the login ends through OnError with the specific
// error (a *blueprint.ProviderError, Op "id_token", 502) and the user is not
// logged in afterwards.

// assertLoginRefused starts a login in f's browser and checks the outcome.
func assertLoginRefused(t *testing.T, f *fixture, want error) {
	t.Helper()
	page := f.get(t, "/login/idp?next=/me")
	if page.StatusCode != http.StatusBadGateway {
		t.Fatalf("login: got %d %q, want 502", page.StatusCode, page.Body)
	}
	err := f.lastErr(t)
	var pe *blueprint.ProviderError
	if !errors.Is(err, want) || !errors.As(err, &pe) || pe.Op != "id_token" {
		t.Fatalf("OnError got %v, want %v in a ProviderError with Op id_token", err, want)
	}
	if page := f.get(t, "/"); page.Body != "authorized=false" {
		t.Fatalf("after the refused login: %q, want nothing stored", page.Body)
	}
}

// forger serves an OIDCProvider behind a handler that re-signs the
// id_token of every token response with a key of the test's own (published
// in the JWKS next to the provider's) after mutate changed its claims: the
// provider an attacker controls, or one that forgets a claim.
type forger struct {
	key     jose.JSONWebKey
	mutate  func(claims map[string]any)
	addKeys []map[string]any // extra raw JWKS entries
}

func startForged(t *testing.T, fg *forger, opts gintest.OIDCOptions) *gintest.OIDCProvider {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	fg.key = jose.JSONWebKey{Key: k, KeyID: "forged", Algorithm: "RS256", Use: "sig"}
	p := gintest.NewOIDCProvider(opts)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/jwks" && (r.URL.Path != "/token" || fg.mutate == nil) {
			p.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Errorf("provider answer: %v", err)
		}
		if r.URL.Path == "/jwks" {
			keys, _ := body["keys"].([]any)
			pub, _ := json.Marshal(fg.key.Public())
			var pubMap map[string]any
			_ = json.Unmarshal(pub, &pubMap)
			for _, k := range fg.addKeys {
				keys = append(keys, k)
			}
			body["keys"] = append(keys, pubMap)
		} else if raw, ok := body["id_token"].(string); ok {
			body["id_token"] = fg.resign(t, raw)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	p.SetBaseURL(srv.URL)
	return p
}

func (fg *forger) resign(t *testing.T, raw string) string {
	parts := strings.Split(raw, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Errorf("id_token payload: %v", err)
	}
	claims := map[string]any{}
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	if err := d.Decode(&claims); err != nil {
		t.Errorf("id_token claims: %v", err)
	}
	fg.mutate(claims)
	out, _ := json.Marshal(claims)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: fg.key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(out)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := jws.CompactSerialize()
	return tok
}

// TestForgerSignsValidTokens: the forger's untouched re-signed
// id_token logs in, so the refusals below are the claims' doing and not
// the forger's.
func TestForgerSignsValidTokens(t *testing.T) {
	f := newFixtureWith(t, startForged(t, &forger{mutate: func(map[string]any) {}}, gintest.OIDCOptions{}))
	if page := f.get(t, "/me"); page.StatusCode != http.StatusOK || page.Body != wantMe {
		t.Fatalf("login with a re-signed id_token: %d %q", page.StatusCode, page.Body)
	}
}

// TestAttackIDTokenWrongIssuer: OpenID Connect Core §3.1.3.7 step 2, the
// iss must be exactly the configured issuer.
func TestAttackIDTokenWrongIssuer(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{})
	f.p.Fail(gintest.OIDCFailure{WrongIssuer: true})
	assertLoginRefused(t, f, oidc.ErrIDToken)
	mustContain(t, f.lastErr(t).Error(), "different provider")
}

// TestAttackIDTokenWrongOrMissingAudience: OpenID Connect Core §3.1.3.7
// step 3, aud must contain the client_id; steps 4-5, several audiences
// need an azp of this client.
func TestAttackIDTokenWrongOrMissingAudience(t *testing.T) {
	t.Run("wrong aud", func(t *testing.T) {
		f := newFixture(t, gintest.OIDCOptions{})
		f.p.Fail(gintest.OIDCFailure{WrongAudience: true})
		assertLoginRefused(t, f, oidc.ErrIDToken)
		mustContain(t, f.lastErr(t).Error(), "audience")
	})
	t.Run("missing aud", func(t *testing.T) {
		f := newFixtureWith(t, startForged(t, &forger{mutate: func(c map[string]any) { delete(c, "aud") }}, gintest.OIDCOptions{}))
		assertLoginRefused(t, f, oidc.ErrIDToken)
		mustContain(t, f.lastErr(t).Error(), "audience")
	})
	t.Run("extra aud without azp", func(t *testing.T) {
		f := newFixture(t, gintest.OIDCOptions{})
		f.p.Fail(gintest.OIDCFailure{ExtraAudience: true})
		assertLoginRefused(t, f, oidc.ErrAuthorizedParty)
	})
}

// TestAttackIDTokenMissingSubOrIAT: OpenID Connect Core §2, sub and iat
// are REQUIRED.
func TestAttackIDTokenMissingSubOrIAT(t *testing.T) {
	for name, fail := range map[string]gintest.OIDCFailure{
		"missing sub": {MissingSub: true},
		"missing iat": {MissingIAT: true},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, gintest.OIDCOptions{})
			f.p.Fail(fail)
			assertLoginRefused(t, f, oidc.ErrMissingClaim)
		})
	}
}

// TestAttackIDTokenExpired: OpenID Connect Core §3.1.3.7 step 9, exp in
// the past.
func TestAttackIDTokenExpired(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{})
	f.p.Fail(gintest.OIDCFailure{Expired: true})
	assertLoginRefused(t, f, oidc.ErrIDToken)
	mustContain(t, f.lastErr(t).Error(), "expired")
}

// TestAttackIDTokenNonceMismatchedOrMissing: OpenID Connect Core
// §3.1.3.7 step 11 (RFC 9700 §4.5.3): an id_token injected from another
// login carries another nonce or none.
func TestAttackIDTokenNonceMismatchedOrMissing(t *testing.T) {
	t.Run("mismatched", func(t *testing.T) {
		f := newFixture(t, gintest.OIDCOptions{})
		f.p.Fail(gintest.OIDCFailure{WrongNonce: true})
		assertLoginRefused(t, f, oidc.ErrNonce)
	})
	t.Run("missing", func(t *testing.T) {
		f := newFixtureWith(t, startForged(t, &forger{mutate: func(c map[string]any) { delete(c, "nonce") }}, gintest.OIDCOptions{}))
		assertLoginRefused(t, f, oidc.ErrNonce)
	})
}

// TestAttackIDTokenBadSignature: OpenID Connect Core §3.1.3.7 step 6, an
// altered signature, with RS256 and ES256 keys.
func TestAttackIDTokenBadSignature(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256"} {
		t.Run(alg, func(t *testing.T) {
			f := newFixture(t, gintest.OIDCOptions{Alg: alg})
			f.p.Fail(gintest.OIDCFailure{BadSignature: true})
			assertLoginRefused(t, f, oidc.ErrIDToken)
			mustContain(t, f.lastErr(t).Error(), "signature")
		})
	}
}

// TestAttackIDTokenAlgNone: RFC 8725 §2.1 (the CVE-2015-9235 class), an
// unsigned id_token.
func TestAttackIDTokenAlgNone(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{})
	f.p.Fail(gintest.OIDCFailure{AlgNone: true})
	assertLoginRefused(t, f, oidc.ErrIDToken)
}

// TestAttackIDTokenHS256WithRSAPublicKey: RFC 8725 §2.1 algorithm
// confusion, an HMAC made with the provider's RSA public key as secret and
// the RSA key's kid.
func TestAttackIDTokenHS256WithRSAPublicKey(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{})
	f.p.Fail(gintest.OIDCFailure{HS256: true})
	assertLoginRefused(t, f, oidc.ErrIDToken)
	mustContain(t, f.lastErr(t).Error(), "HS256")
}

// TestAttackJWKSUnknownKeyTypesIgnored: RFC 7517 §5, "implementations
// SHOULD ignore JWKs within a JWK Set that use kty values that are not
// understood". The JWKS carries an unknown kty and a key of unknown use
// next to the signing keys; the login verifies with the known key.
func TestAttackJWKSUnknownKeyTypesIgnored(t *testing.T) {
	fg := &forger{addKeys: []map[string]any{
		{"kty": "QUANTUM", "kid": "q-1", "x": "AAAA"},
		{"kty": "OKP", "crv": "X448", "kid": "okp-1", "x": "AAAA"},
	}}
	f := newFixtureWith(t, startForged(t, fg, gintest.OIDCOptions{}))
	if page := f.get(t, "/me"); page.StatusCode != http.StatusOK || page.Body != wantMe {
		t.Fatalf("login with unknown key types in the JWKS: %d %q", page.StatusCode, page.Body)
	}
}

// TestAttackUnknownKIDRefetchIsBounded: RFC 7517 §4.5 and OpenID Connect
// Core §10.1.1: an id_token with a kid the cached JWKS lacks makes one
// refetch and then verifies (a key rotation); id_tokens whose kid changes
// every time are refused and cost at most one JWKS fetch per interval
// (go-oidc's RemoteKeySet, used before, fetched once per id_token: 20
// fetches for 20 logins). After the interval a rotation is picked up again.
func TestAttackUnknownKIDRefetchIsBounded(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{})
	if page := f.get(t, "/me"); page.Body != wantMe {
		t.Fatalf("first login: %q", page.Body)
	}
	_, before := f.p.Fetches()
	f.p.RotateKeys(false)
	if page, err := gintest.NewBrowser().Get(f.app.URL + "/login/idp?next=/me"); err != nil || page.Body != wantMe {
		t.Fatalf("login after rotation: %v %q", err, page.Body)
	}
	_, afterRotation := f.p.Fetches()
	if afterRotation != before+1 {
		t.Fatalf("rotation: JWKS fetched %d more times, want 1", afterRotation-before)
	}

	f.p.Fail(gintest.OIDCFailure{UnknownKID: true}) // a fresh stranger key per id_token
	const logins = 20
	for range logins {
		b := gintest.NewBrowser()
		page, err := b.Get(f.app.URL + "/login/idp")
		if err != nil || page.StatusCode != http.StatusBadGateway {
			t.Fatalf("unknown kid: %v %d, want 502", err, page.StatusCode)
		}
		if page, _ := b.Get(f.app.URL + "/"); page.Body != "authorized=false" {
			t.Fatalf("unknown kid stored a token: %q", page.Body)
		}
	}
	if err := f.lastErr(t); !errors.Is(err, oidc.ErrIDToken) {
		t.Fatalf("unknown kid: %v, want ErrIDToken", err)
	}
	_, afterFlood := f.p.Fetches()
	t.Logf("%d logins with ever-changing kids: %d JWKS fetches", logins, afterFlood-afterRotation)
	if n := afterFlood - afterRotation; n > 1 {
		t.Fatalf("%d logins with ever-changing kids made %d JWKS fetches, want at most 1", logins, n)
	}

	oidc.SetJWKSRefetchInterval(f.b, 20*time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	f.p.Fail(gintest.OIDCFailure{})
	f.p.RotateKeys(false)
	if page, err := gintest.NewBrowser().Get(f.app.URL + "/login/idp?next=/me"); err != nil || page.Body != wantMe {
		t.Fatalf("login after a rotation past the interval: %v %q", err, page.Body)
	}
	if _, after := f.p.Fetches(); after != afterFlood+1 {
		t.Fatalf("rotation past the interval: JWKS fetched %d more times, want 1", after-afterFlood)
	}
}

// TestAttackUserinfoOtherSubject: OpenID Connect Core §5.3.4, a userinfo
// answer whose sub is not the id_token's is refused and nothing is
// stored.
func TestAttackUserinfoOtherSubject(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{}, func(c *oidc.Config) { c.UserInfo = true })
	f.p.Fail(gintest.OIDCFailure{UserinfoOtherSub: true})
	assertLoginRefused(t, f, oidc.ErrUserInfoSubject)
}

// TestAttackRefreshIDTokenOtherSubject: OpenID Connect Core §12.2, an
// id_token returned on refresh must keep iss, sub and aud. The refresh is
// refused, the request fails through OnError, and the stored token is not
// replaced: the session still holds the original subject's id_token.
func TestAttackRefreshIDTokenOtherSubject(t *testing.T) {
	opts := gintest.OIDCOptions{IDTokenOnRefresh: true, TokenLifetime: 30 * time.Second} // always within the refresh leeway
	f := newFixture(t, opts)
	if page := f.get(t, "/me"); page.StatusCode != http.StatusOK || page.Body != wantMe {
		t.Fatalf("login: %d %q", page.StatusCode, page.Body)
	}
	f.p.Fail(gintest.OIDCFailure{OtherSub: "mallory"})
	page := f.get(t, "/me")
	if page.StatusCode == http.StatusOK || strings.Contains(page.Body, "mallory") {
		t.Fatalf("refresh to another subject accepted: %d %q", page.StatusCode, page.Body)
	}
	err := f.lastErr(t)
	var pe *blueprint.ProviderError
	if !errors.Is(err, oidc.ErrRefreshSubject) || !errors.As(err, &pe) {
		t.Fatalf("OnError got %v, want ErrRefreshSubject in a ProviderError", err)
	}
	f.p.Fail(gintest.OIDCFailure{})
	if page := f.get(t, "/me"); page.StatusCode != http.StatusOK || page.Body != wantMe {
		t.Fatalf("the stored token was replaced: %d %q, want the original subject", page.StatusCode, page.Body)
	}
}
