package gintest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// clientAssertionType is RFC 7523 §2.2's client_assertion_type.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionSkew is the clock difference the provider tolerates in an
// assertion's exp and iat.
const assertionSkew = 5 * time.Second

// asymmetricAlgs are the algorithms private_key_jwt assertions may use.
var asymmetricAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}

// authenticateAssertion checks a JWT client assertion (RFC 7523 §3,
// OpenID Connect Core §9): private_key_jwt against the client's JWKS,
// client_secret_jwt against its secret.
func (p *Provider) authenticateAssertion(r *http.Request, form url.Values) (Client, *oauthError) {
	fail := func(desc string) (Client, *oauthError) {
		return Client{}, &oauthError{status: http.StatusUnauthorized, code: "invalid_client", description: desc}
	}
	if _, _, basic := r.BasicAuth(); basic || form.Has("client_secret") {
		return Client{}, errInvalidRequest("more than one client authentication method")
	}
	if form.Get("client_assertion_type") != clientAssertionType {
		return fail("client_assertion_type must be " + clientAssertionType)
	}
	raw := form.Get("client_assertion")
	tok, err := jwt.ParseSigned(raw, append([]jose.SignatureAlgorithm{jose.HS256, jose.HS384, jose.HS512}, asymmetricAlgs...))
	if err != nil || len(tok.Headers) != 1 {
		return fail("client_assertion is not a signed JWT")
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return fail("client_assertion has malformed claims")
	}
	c, ok := p.clients[unverified.Issuer]
	if !ok {
		return fail("client_assertion iss is not a registered client")
	}
	method, key := "private_key_jwt", any(nil)
	if alg := tok.Headers[0].Algorithm; strings.HasPrefix(alg, "HS") {
		if c.Secret == "" {
			return fail("a public client cannot use client_secret_jwt")
		}
		method, key = "client_secret_jwt", []byte(c.Secret)
	} else {
		if c.JWKSURL == "" {
			return fail("the client has no JWKS registered for private_key_jwt")
		}
		k, msg := fetchClientKey(r, c.JWKSURL, tok.Headers[0].KeyID, alg)
		if msg != "" {
			return fail(msg)
		}
		key = k
	}
	if c.AuthMethod != "" && c.AuthMethod != method {
		return fail("the client must authenticate with " + c.AuthMethod)
	}
	var claims jwt.Claims
	if err := tok.Claims(key, &claims); err != nil {
		return fail("client_assertion signature does not verify")
	}
	now := p.now()
	switch {
	case claims.Issuer != c.ID || claims.Subject != c.ID: // RFC 7523 §3 items 1-2
		return fail("client_assertion iss and sub must both be the client_id")
	case form.Has("client_id") && form.Get("client_id") != c.ID:
		return fail("client_id differs from the client_assertion's iss")
	case !p.assertionAudience(claims.Audience, r):
		return fail("client_assertion aud is not this authorization server") // §3 item 3
	case claims.Expiry == nil || !now.Before(claims.Expiry.Time().Add(assertionSkew)):
		return fail("client_assertion has no exp or expired") // §3 item 4
	case claims.IssuedAt != nil && claims.IssuedAt.Time().After(now.Add(assertionSkew)):
		return fail("client_assertion iat is in the future")
	case claims.NotBefore != nil && claims.NotBefore.Time().After(now.Add(assertionSkew)):
		return fail("client_assertion is not valid yet") // §3 item 5
	case claims.ID == "":
		return fail("client_assertion has no jti") // OpenID Connect Core §9
	}
	if !p.useJTI(c.ID+"\x00"+claims.ID, claims.Expiry.Time().Add(assertionSkew)) {
		return fail("client_assertion jti already used") // RFC 7523 §3 item 7
	}
	return c, nil
}

// assertionAudience accepts the issuer identifier (the update of RFC 7523,
// FAPI 2.0 §5.3.2.1), and, for clients following RFC 7523 §3 item 3 and
// OpenID Connect Core §9, the token endpoint's URL; at the PAR endpoint
// its own URL too (RFC 9126 §2). The URL of another endpoint, such as the
// revocation endpoint's, is refused: no specification names it.
func (p *Provider) assertionAudience(aud jwt.Audience, r *http.Request) bool {
	iss := p.URL()
	return aud.Contains(iss) || aud.Contains(p.TokenURL()) || (r.URL.Path == "/par" && aud.Contains(p.PARURL()))
}

// useJTI records a single-use identifier until expires; false when it was
// seen already.
func (p *Provider) useJTI(id string, expires time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	for k, exp := range p.jtis {
		if now.After(exp) {
			delete(p.jtis, k)
		}
	}
	if _, seen := p.jtis[id]; seen {
		return false
	}
	p.jtis[id] = expires
	return true
}

// fetchClientKey fetches the client's JWKS and returns the key with kid
// (the only key, when kid is empty) for alg, or a message saying why not.
func fetchClientKey(r *http.Request, jwksURL, kid, alg string) (any, string) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, jwksURL, nil)
	if err != nil {
		return nil, "the client's jwks_uri is not a URL"
	}
	hc := &http.Client{Timeout: 5 * time.Second}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, "the client's JWKS cannot be fetched"
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set) != nil {
		return nil, "the client's JWKS cannot be read"
	}
	var found []jose.JSONWebKey
	for _, k := range set.Keys {
		if (kid == "" || k.KeyID == kid) && (k.Algorithm == "" || k.Algorithm == alg) && k.Use != "enc" {
			found = append(found, k)
		}
	}
	if len(found) != 1 || !found[0].IsPublic() {
		return nil, "no single key in the client's JWKS matches the assertion's kid and alg"
	}
	return found[0].Key, ""
}
