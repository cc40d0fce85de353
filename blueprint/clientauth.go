package blueprint

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/cryptosigner"
)

// ClientAssertionType is the client_assertion_type of JWT client
// authentication (RFC 7523 §2.2).
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// ClientAssertionLifetime is how long a client assertion is valid: long
// enough for one request, short enough that a captured one is soon useless.
const ClientAssertionLifetime = 60 * time.Second

// ClientKey is one of the client's private keys for private_key_jwt client
// authentication (RFC 7523 §2.2, OpenID Connect Core §9). Its public half
// is what JWKSHandler publishes.
//
// Rotation: list the new key alongside the old one with a NotBefore in the
// future, so that servers that cache the client's JWKS see it before it
// signs; once NotBefore has passed it signs, and the old key can be removed
// after the servers' cache lifetime.
type ClientKey struct {
	// Signer is the private key: an *rsa.PrivateKey (2048 bits or more),
	// an *ecdsa.PrivateKey on P-256, P-384 or P-521, an
	// ed25519.PrivateKey, or any crypto.Signer over such a key (an HSM or
	// a cloud KMS), which is then asked to sign each assertion.
	Signer crypto.Signer
	// KeyID is the key's kid. Empty: its RFC 7638 thumbprint.
	KeyID string
	// Algorithm is the JWS algorithm. Empty: RS256 for RSA keys (set
	// "PS256" for FAPI 2.0, which does not allow RS256), ES256, ES384 or
	// ES512 by curve, EdDSA for Ed25519.
	Algorithm string
	// NotBefore is when the key starts signing; it is published at once.
	// Among the keys whose NotBefore has passed, the one with the latest
	// signs (the first of them on a tie). Zero: from the start.
	NotBefore time.Time
}

// preparedKey is a ClientKey checked and ready to sign.
type preparedKey struct {
	public    jose.JSONWebKey
	signer    jose.Signer
	notBefore time.Time
}

// prepareKeys checks keys and builds their signers.
func prepareKeys(keys []ClientKey) ([]preparedKey, error) {
	out := make([]preparedKey, 0, len(keys))
	for i, k := range keys {
		pk, err := prepareKey(k)
		if err != nil {
			return nil, fmt.Errorf("%w: ClientKeys[%d]: %w", ErrConfig, i, err)
		}
		out = append(out, pk)
	}
	return out, nil
}

func prepareKey(k ClientKey) (preparedKey, error) {
	if k.Signer == nil {
		return preparedKey{}, errors.New("Signer is nil")
	}
	pub := k.Signer.Public()
	alg, err := keyAlgorithm(pub, k.Algorithm)
	if err != nil {
		return preparedKey{}, err
	}
	jwk := jose.JSONWebKey{Key: pub, KeyID: k.KeyID, Algorithm: string(alg), Use: "sig"}
	if jwk.KeyID == "" {
		tp, err := jwk.Thumbprint(crypto.SHA256)
		if err != nil {
			return preparedKey{}, err
		}
		jwk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	}
	var key any = cryptosigner.Opaque(k.Signer)
	switch s := k.Signer.(type) { // go-jose's own implementations where it has one
	case *rsa.PrivateKey, *ecdsa.PrivateKey:
		key = s
	case ed25519.PrivateKey:
		key = s
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: jwk.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return preparedKey{}, err
	}
	return preparedKey{public: jwk, signer: signer, notBefore: k.NotBefore}, nil
}

// keyAlgorithm is the JWS algorithm for pub: want when it suits the key,
// else the key type's default.
func keyAlgorithm(pub crypto.PublicKey, want string) (jose.SignatureAlgorithm, error) {
	var allowed []jose.SignatureAlgorithm
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return "", fmt.Errorf("RSA key of %d bits; at least 2048 are required", k.N.BitLen())
		}
		allowed = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.RS384, jose.PS384, jose.RS512, jose.PS512}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			allowed = []jose.SignatureAlgorithm{jose.ES256}
		case elliptic.P384():
			allowed = []jose.SignatureAlgorithm{jose.ES384}
		case elliptic.P521():
			allowed = []jose.SignatureAlgorithm{jose.ES512}
		}
	case ed25519.PublicKey:
		allowed = []jose.SignatureAlgorithm{jose.EdDSA}
	}
	if len(allowed) == 0 {
		return "", fmt.Errorf("unsupported key type %T (RSA, ECDSA P-256/384/521 or Ed25519)", pub)
	}
	if want == "" {
		return allowed[0], nil
	}
	for _, a := range allowed {
		if string(a) == want {
			return a, nil
		}
	}
	return "", fmt.Errorf("algorithm %q does not suit a %T", want, pub)
}

// current is the key that signs at now: the latest NotBefore not after now.
func current(keys []preparedKey, now time.Time) *preparedKey {
	var best *preparedKey
	for i := range keys {
		k := &keys[i]
		if k.notBefore.After(now) {
			continue
		}
		if best == nil || k.notBefore.After(best.notBefore) {
			best = k
		}
	}
	return best
}

// assertionClaims are the claims of a client assertion (RFC 7523 §3).
type assertionClaims struct {
	Issuer   string `json:"iss"`
	Subject  string `json:"sub"`
	Audience string `json:"aud"`
	ID       string `json:"jti"`
	IssuedAt int64  `json:"iat"`
	Expiry   int64  `json:"exp"`
}

// clientAssertion signs a new assertion for a request to the server whose
// audience value is aud.
func (p *oauth2Protocol) clientAssertion(aud string, now time.Time) (string, error) {
	claims := assertionClaims{Issuer: p.cfg.ClientID, Subject: p.cfg.ClientID, Audience: aud,
		ID: randomString(24), IssuedAt: now.Unix(), Expiry: now.Add(ClientAssertionLifetime).Unix()}
	var signer jose.Signer
	switch p.cfg.TokenAuth {
	case PrivateKeyJWT:
		k := current(p.keys, now)
		if k == nil {
			return "", fmt.Errorf("%w: no ClientKey is valid yet (all NotBefore are in the future)", ErrClientAssertion)
		}
		signer = k.signer
	case ClientSecretJWT:
		signer = p.secretSigner
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrClientAssertion, err)
	}
	return jws.CompactSerialize()
}

// assertionAudience is the aud of client assertions, at the token,
// revocation and PAR endpoints alike: the authorization server's issuer
// identifier, as the update of RFC 7523 and FAPI 2.0 (§5.3.2.1) ask, so
// that an assertion meant for one server cannot be replayed at another
// that shares an endpoint URL; the token endpoint's URL when no issuer is
// known (RFC 7523 §3 item 3, OpenID Connect Core §9), never the URL of
// the endpoint called (RFC 9126 §2 allows the PAR URL at PAR only, and
// the issuer and token endpoint URL there too).
func assertionAudience(ep Endpoints) string {
	if ep.Issuer != "" {
		return ep.Issuer
	}
	return ep.TokenURL
}

// authenticate adds the client's authentication to a request to one of
// the provider's endpoints whose form is form (RFC 6749 §2.3, RFC 7523
// §2.2).
func (p *oauth2Protocol) authenticate(req *http.Request, form url.Values, ep Endpoints) error {
	switch p.cfg.TokenAuth {
	case ClientSecretBasic:
		req.SetBasicAuth(url.QueryEscape(p.cfg.ClientID), url.QueryEscape(p.cfg.ClientSecret))
	case ClientSecretPost:
		form.Set("client_id", p.cfg.ClientID)
		if p.cfg.ClientSecret != "" { // none, or tls_client_auth through HTTPClient (RFC 8705 §2)
			form.Set("client_secret", p.cfg.ClientSecret)
		}
	case PrivateKeyJWT, ClientSecretJWT:
		aud := assertionAudience(ep)
		if p.cfg.AssertionAudienceTokenURL {
			aud = ep.TokenURL
		}
		a, err := p.clientAssertion(aud, time.Now())
		if err != nil {
			return err
		}
		form.Set("client_id", p.cfg.ClientID)
		form.Set("client_assertion_type", ClientAssertionType)
		form.Set("client_assertion", a)
	}
	return nil
}

// jwtAuth reports whether the client authenticates with an assertion.
func (p *oauth2Protocol) jwtAuth() bool {
	return p.cfg.TokenAuth == PrivateKeyJWT || p.cfg.TokenAuth == ClientSecretJWT
}

// JWKSHandler serves the public halves of keys as a JSON Web Key Set
// (RFC 7517 §5), for authorization servers that fetch the client's keys
// from a jwks_uri registered with them. Mount it where that URI points,
// such as "/.well-known/jwks.json": r.GET(path, gin.WrapH(h)). Keys whose
// NotBefore is still ahead are published too, so that servers see them
// before they sign. Invalid keys are a configuration error.
func JWKSHandler(keys ...ClientKey) (http.Handler, error) {
	prepared, err := prepareKeys(keys)
	if err != nil {
		return nil, err
	}
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(prepared))}
	for _, k := range prepared {
		set.Keys = append(set.Keys, k.public)
	}
	body, err := json.Marshal(set)
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(body)
	}), nil
}

// newSecretSigner is the HS256 signer of client_secret_jwt (RFC 7523 §2.2
// with the client secret as the MAC key, OpenID Connect Core §9).
func newSecretSigner(secret string) (jose.Signer, error) {
	return jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(secret)}, (&jose.SignerOptions{}).WithType("JWT"))
}
