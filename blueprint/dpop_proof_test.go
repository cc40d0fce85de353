package blueprint

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// A proof's protected header is the three members RFC 9449 §4.2 asks
// for: typ dpop+jwt, alg ES256 and the public key as a JWK with no private
// member, which verifies the proof and whose claims say what was signed.
func TestDPoPProofHeader(t *testing.T) {
	k, err := newDPoPKey()
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://api.example.test/v1/me?x=1#f")
	proof, err := k.proof("GET", u, "at-1", "n-1")
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(proof, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	h := jws.Signatures[0].Protected
	if h.Algorithm != "ES256" || h.ExtraHeaders["typ"] != "dpop+jwt" || h.JSONWebKey == nil {
		t.Fatalf("header: alg %q typ %v jwk %v", h.Algorithm, h.ExtraHeaders["typ"], h.JSONWebKey)
	}
	if !h.JSONWebKey.IsPublic() || !h.JSONWebKey.Valid() {
		t.Fatalf("the jwk header is not a valid public key: %+v", h.JSONWebKey)
	}
	payload, err := jws.Verify(h.JSONWebKey)
	if err != nil {
		t.Fatalf("the proof does not verify with its own jwk: %v", err)
	}
	var c proofClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	if c.Method != "GET" || c.URI != "https://api.example.test/v1/me" || c.Nonce != "n-1" || c.ATH == "" || c.ID == "" ||
		time.Since(time.Unix(c.IssuedAt, 0)).Abs() > time.Minute {
		t.Fatalf("claims: %+v", c)
	}
}

// BenchmarkDPoPProof signs one proof (what each DPoP-bound API call and
// token request adds), against the floor: go-jose signing the same claims
// with the same ES256 key and only alg and typ in the header.
func BenchmarkDPoPProof(b *testing.B) {
	k, err := newDPoPKey()
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse("https://api.example.test/v1/me")
	b.Run("floor", func(b *testing.B) {
		var jwk jose.JSONWebKey
		if err := json.Unmarshal([]byte(k.priv), &jwk); err != nil {
			b.Fatal(err)
		}
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jwk.Key}, (&jose.SignerOptions{}).WithType("dpop+jwt"))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			payload, _ := json.Marshal(proofClaims{ID: randomString(18), Method: "GET", URI: endpointURL(u), IssuedAt: time.Now().Unix(), ATH: "x"})
			jws, err := s.Sign(payload)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := jws.CompactSerialize(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("proof", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := k.proof("GET", u, "at-1", ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
