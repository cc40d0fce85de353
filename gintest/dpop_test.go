package gintest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// prover signs DPoP proofs with one key, as a client would.
type prover struct{ key *ecdsa.PrivateKey }

func newProver(t *testing.T) *prover {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &prover{k}
}

func (pr *prover) proof(t *testing.T, claims map[string]any) string {
	return signTest(t, jose.SigningKey{Algorithm: jose.ES256, Key: pr.key}, (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"), claims)
}

// claims are valid proof claims for method and URL, changed by edit.
func proofClaims(method, u, accessToken string, edit func(map[string]any)) map[string]any {
	c := map[string]any{"jti": newSecret(""), "htm": method, "htu": u, "iat": time.Now().Unix()}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		c["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if edit != nil {
		edit(c)
	}
	return c
}

// boundToken runs the code flow with a proof by pr
// and returns the DPoP-bound access token.
func boundToken(t *testing.T, p *Provider, pr *prover) string {
	t.Helper()
	verifier := strings.Repeat("v", 43)
	code := getCode(t, config(p), verifier)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect}, "code_verifier": {verifier}}
	req, _ := http.NewRequest(http.MethodPost, p.TokenURL(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	req.Header.Set("DPoP", pr.proof(t, proofClaims("POST", p.TokenURL(), "", nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body tokenResponse
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusOK || body.TokenType != "DPoP" {
		t.Fatalf("token: %d %+v", resp.StatusCode, body)
	}
	return body.AccessToken
}

// callAPI calls /api/me with the scheme and an optional proof.
func callAPI(t *testing.T, p *Provider, scheme, tok, proof string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.APIBaseURL()+"me", nil)
	req.Header.Set("Authorization", scheme+" "+tok)
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

// RFC 9449 §4.3, §7: the resource server accepts a bound token with the
// DPoP scheme and a valid proof by its key, and refuses the token as
// Bearer (§7.2), a proof by another key (§6), a wrong ath, htm or htu, a
// proof that is not dpop+jwt, and a replayed jti (§11.1).
func TestProviderVerifiesDPoPProofs_RFC9449_4_3(t *testing.T) {
	p := start(t, Options{User: ada(), RequireDPoP: true})
	pr := newProver(t)
	tok := boundToken(t, p, pr)
	me := p.APIBaseURL() + "me"
	good := pr.proof(t, proofClaims("GET", me, tok, nil))
	if st, ch := callAPI(t, p, "DPoP", tok, good); st != http.StatusOK {
		t.Fatalf("valid proof: %d %s", st, ch)
	}
	if st, _ := callAPI(t, p, "DPoP", tok, good); st != http.StatusUnauthorized {
		t.Fatalf("replayed proof (§11.1): %d", st)
	}
	if st, _ := callAPI(t, p, "Bearer", tok, ""); st != http.StatusUnauthorized {
		t.Fatalf("bound token as Bearer (§7.2): %d", st)
	}
	other := newProver(t)
	if st, _ := callAPI(t, p, "DPoP", tok, other.proof(t, proofClaims("GET", me, tok, nil))); st != http.StatusUnauthorized {
		t.Fatalf("proof by another key (§6): %d", st)
	}
	for name, edit := range map[string]func(map[string]any){
		"ath":    func(c map[string]any) { c["ath"] = "AAAA" },
		"htm":    func(c map[string]any) { c["htm"] = "POST" },
		"htu":    func(c map[string]any) { c["htu"] = me + "?x=1" },
		"iat":    func(c map[string]any) { c["iat"] = time.Now().Add(-time.Hour).Unix() },
		"no jti": func(c map[string]any) { delete(c, "jti") },
	} {
		if st, ch := callAPI(t, p, "DPoP", tok, pr.proof(t, proofClaims("GET", me, tok, edit))); st != http.StatusUnauthorized || !strings.HasPrefix(ch, "DPoP ") {
			t.Errorf("%s: %d %q", name, st, ch)
		}
	}
}

// RFC 9449 §8: with DPoPNonce a proof without the server's nonce is
// answered use_dpop_nonce with a DPoP-Nonce header; with the nonce it is
// accepted.
func TestProviderDemandsDPoPNonce_RFC9449_8(t *testing.T) {
	p := start(t, Options{User: ada(), DPoPNonce: true})
	pr := newProver(t)
	send := func(nonce string) *http.Response {
		form := url.Values{"grant_type": {"client_credentials"}}
		req, _ := http.NewRequest(http.MethodPost, p.TokenURL(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
		req.Header.Set("DPoP", pr.proof(t, proofClaims("POST", p.TokenURL(), "", func(c map[string]any) {
			if nonce != "" {
				c["nonce"] = nonce
			}
		})))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	first := send("")
	nonce := first.Header.Get("DPoP-Nonce")
	if first.StatusCode != http.StatusBadRequest || nonce == "" {
		t.Fatalf("without nonce: %d nonce %q", first.StatusCode, nonce)
	}
	if resp := send(nonce); resp.StatusCode != http.StatusOK {
		t.Fatalf("with the nonce: %d", resp.StatusCode)
	}
}
