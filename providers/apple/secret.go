package apple

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// DefaultSecretLifetime is how long a signed client secret is valid.
const DefaultSecretLifetime = 24 * time.Hour

// maxSecretLifetime is Apple's limit: 6 months (15777000 s).
const maxSecretLifetime = 15777000 * time.Second

// secretAudience is the aud of the client secret.
const secretAudience = "https://appleid.apple.com"

// placeholderSecret is the ClientSecret the blueprint is given; the
// signer's transport replaces it, in the body of the requests to Apple's
// token and revocation endpoints, with a freshly signed client secret. It
// is never sent.
const placeholderSecret = "gindance-apple-signed-client-secret"

// signer makes Sign in with Apple's client secret: a JWT signed ES256 with
// the team's key (header kid: the key ID), iss the team ID, sub the client
// ID, aud https://appleid.apple.com, iat now and exp iat+lifetime. The
// secret is kept and signed again when less than a tenth of its lifetime
// is left.
type signer struct {
	key                   *ecdsa.PrivateKey
	keyID, team, clientID string
	lifetime              time.Duration
	now                   func() time.Time

	mu      sync.Mutex
	secret  string
	expires time.Time
}

// newSigner parses the key; the error (an ErrConfig) is reported by
// Validate, so that New still returns a blueprint.
func newSigner(cfg Config) (*signer, error) {
	s := &signer{keyID: cfg.KeyID, team: cfg.TeamID, clientID: cfg.ClientID, lifetime: cfg.SecretLifetime, now: cfg.Now}
	if s.lifetime <= 0 {
		s.lifetime = DefaultSecretLifetime
	}
	if s.now == nil {
		s.now = time.Now
	}
	name := cfg.Name
	if name == "" {
		name = "apple"
	}
	if s.lifetime > maxSecretLifetime {
		return s, fmt.Errorf("%w: %s: SecretLifetime %v is longer than Apple's 6 months", blueprint.ErrConfig, name, s.lifetime)
	}
	if len(cfg.PrivateKey) == 0 {
		return s, provider.MissingCredential(name, "PrivateKey")
	}
	block, _ := pem.Decode(cfg.PrivateKey)
	if block == nil {
		return s, fmt.Errorf("%w: %s: PrivateKey is not PEM (give the .p8 file's contents)", blueprint.ErrConfig, name)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return s, fmt.Errorf("%w: %s: PrivateKey: %v", blueprint.ErrConfig, name, err)
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return s, fmt.Errorf("%w: %s: PrivateKey is not an ECDSA P-256 key", blueprint.ErrConfig, name)
	}
	s.key = ec
	return s, nil
}

// loginCookieKey is the key that seals the blueprint's pending-login
// cookies (blueprint.Options.LoginCookieKey) unless the app sets its own:
// the blueprint's ClientSecret is a public placeholder and the signed
// secret changes every SecretLifetime, so the default key, derived from
// ClientSecret, cannot be used. It is derived with HKDF-SHA256 from the
// private key in PKCS #8, the stable, high-entropy secret behind every
// signed client secret, and the client ID: the same on every replica given
// the same key. nil when the key did not parse, which Validate reports.
func (s *signer) loginCookieKey(clientID string) []byte {
	if s.key == nil {
		return nil
	}
	der, err := x509.MarshalPKCS8PrivateKey(s.key)
	if err != nil {
		return nil
	}
	key, err := hkdf.Key(sha256.New, der, nil, "gindance apple pending-login cookie key v1\x00"+clientID, blueprint.LoginCookieKeySize)
	if err != nil {
		return nil
	}
	return key
}

// clientSecret returns a valid client secret, signing a new one when the
// kept one is missing or near its expiry.
func (s *signer) clientSecret() (string, error) {
	if s.key == nil {
		return "", fmt.Errorf("%w: apple: no usable PrivateKey", blueprint.ErrConfig)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.secret != "" && s.expires.Sub(now) > s.lifetime/10 {
		return s.secret, nil
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: s.key},
		(&jose.SignerOptions{}).WithHeader(jose.HeaderKey("kid"), s.keyID))
	if err != nil {
		return "", err
	}
	exp := now.Add(s.lifetime)
	secret, err := jwt.Signed(sig).Claims(jwt.Claims{
		Issuer: s.team, Subject: s.clientID, Audience: jwt.Audience{secretAudience},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(exp),
	}).Serialize()
	if err != nil {
		return "", err
	}
	s.secret, s.expires = secret, exp
	return secret, nil
}

// client returns a copy of hc (or a default client) whose transport puts
// the signed client secret in place of placeholderSecret.
func (s *signer) client(hc *http.Client) *http.Client {
	return preset.WrapTransport(hc, func(base http.RoundTripper) http.RoundTripper {
		return &secretTransport{base: base, s: s}
	})
}

// secretTransport fills in the client secret of form requests that carry
// placeholderSecret; every other request passes through untouched.
type secretTransport struct {
	base http.RoundTripper
	s    *signer
}

// maxFormBody bounds what is read of a request body to look for the
// placeholder (a token request is a few KiB).
const maxFormBody = 64 << 10

func (t *secretTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if req.Method != http.MethodPost || req.Body == nil || mt != "application/x-www-form-urlencoded" {
		return t.base.RoundTrip(req)
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxFormBody+1))
	if err != nil {
		req.Body.Close()
		return nil, err
	}
	r := req.Clone(req.Context())
	if len(body) > maxFormBody { // not a token request: send it on whole
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), req.Body), req.Body}
		return t.base.RoundTrip(r)
	}
	req.Body.Close()
	if form, err := url.ParseQuery(string(body)); err == nil && form.Get("client_secret") == placeholderSecret {
		secret, err := t.s.clientSecret()
		if err != nil {
			return nil, err
		}
		form.Set("client_secret", secret)
		body = []byte(form.Encode())
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return t.base.RoundTrip(r)
}
