package blueprint

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// dpopScheme is the token type and Authorization scheme of DPoP-bound
// tokens (RFC 9449 §7.1).
const dpopScheme = "DPoP"

// maxNonceOrigins bounds the remembered server nonces.
const maxNonceOrigins = 256

// isDPoP reports whether tok is DPoP-bound.
func (t *Token) isDPoP() bool { return strings.EqualFold(t.TokenType, dpopScheme) }

// dpopKey is a DPoP key pair ready to sign proofs.
type dpopKey struct {
	signer jose.Signer
	priv   string // the private JWK, as stored in Token.DPoPKey
}

// newDPoPKey makes a fresh P-256 key for one login's tokens.
func newDPoPKey() (*dpopKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(jose.JSONWebKey{Key: k, Algorithm: string(jose.ES256)})
	if err != nil {
		return nil, err
	}
	return loadDPoPKey(string(b))
}

// loadDPoPKey loads a key stored by newDPoPKey; a missing or corrupt one
// is ErrDPoPKey.
func loadDPoPKey(stored string) (*dpopKey, error) {
	var jwk jose.JSONWebKey
	if stored == "" || json.Unmarshal([]byte(stored), &jwk) != nil {
		return nil, ErrDPoPKey
	}
	priv, ok := jwk.Key.(*ecdsa.PrivateKey)
	if !ok || priv.Curve != elliptic.P256() {
		return nil, ErrDPoPKey
	}
	// The public key goes in the header as JSON marshalled here once:
	// go-jose's EmbedJWK marshals the key three times per proof, which was
	// 95 of a proof's 214 allocations (BenchmarkDPoPProof).
	pub, err := json.Marshal(jose.JSONWebKey{Key: priv.Public()})
	if err != nil {
		return nil, ErrDPoPKey
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: priv},
		(&jose.SignerOptions{}).WithType("dpop+jwt").WithHeader("jwk", json.RawMessage(pub)))
	if err != nil {
		return nil, ErrDPoPKey
	}
	return &dpopKey{signer: s, priv: stored}, nil
}

// dpopMemo is the loaded key of one request's DPoP-bound token, kept in
// the per-request memo (signCtx) so that the request's API calls decode the
// stored JWK and build the signer once between them; each call still signs
// a proof of its own. It goes with the request: nothing holds the key
// after it, and a token refreshed within the request gets a fresh memo.
type dpopMemo struct {
	once sync.Once
	key  *dpopKey
	err  error
}

// load returns tok's key, loading it at the first call; a nil memo (a call
// outside the request's memo) loads it every time.
func (m *dpopMemo) load(tok *Token) (*dpopKey, error) {
	if m == nil {
		return loadDPoPKey(tok.DPoPKey)
	}
	m.once.Do(func() { m.key, m.err = loadDPoPKey(tok.DPoPKey) })
	return m.key, m.err
}

// proofClaims are a DPoP proof's claims (RFC 9449 §4.2).
type proofClaims struct {
	ID       string `json:"jti"`
	Method   string `json:"htm"`
	URI      string `json:"htu"`
	IssuedAt int64  `json:"iat"`
	Nonce    string `json:"nonce,omitempty"`
	ATH      string `json:"ath,omitempty"`
}

// proof signs a fresh proof for a request of method to u: htu without
// query and fragment (§4.2), ath when accessToken is given (§4.3, resource
// requests), nonce when the server gave one.
func (k *dpopKey) proof(method string, u *url.URL, accessToken, nonce string) (string, error) {
	c := proofClaims{ID: randomString(18), Method: method, URI: targetURI(u), IssuedAt: time.Now().Unix(), Nonce: nonce}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		c.ATH = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	jws, err := k.signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// nonces remembers the last DPoP-Nonce each origin sent (RFC 9449 §8,
// §9), so that the next request there carries it without a round trip.
// The token endpoint's and the APIs' nonces are kept in two of them.
type nonces struct {
	mu sync.Mutex
	m  map[string]string
}

func (n *nonces) get(u *url.URL) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.m[origin(u)]
}

// update remembers resp's DPoP-Nonce, if it sent one.
func (n *nonces) update(u *url.URL, resp *http.Response) {
	v := resp.Header.Get("DPoP-Nonce")
	if v == "" || len(v) > 512 {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil {
		n.m = make(map[string]string)
	}
	if _, ok := n.m[origin(u)]; !ok && len(n.m) >= maxNonceOrigins {
		clear(n.m) // a bound, not a cache policy: a cleared nonce costs one retry
	}
	n.m[origin(u)] = v
}

// useNonceAtTokenEndpoint reports whether resp is the token endpoint's
// demand for a nonce (RFC 9449 §8: 400, error use_dpop_nonce, and a
// DPoP-Nonce header). The body is read and put back.
func useNonceAtTokenEndpoint(resp *http.Response) bool {
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("DPoP-Nonce") == "" {
		return false
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var e struct {
		Error string `json:"error"`
	}
	return err == nil && json.Unmarshal(body, &e) == nil && e.Error == "use_dpop_nonce"
}

// useNonceAtResource reports whether resp is a resource server's demand
// for a nonce (RFC 9449 §9: 401 with a DPoP challenge whose error is
// use_dpop_nonce, and a DPoP-Nonce header). The DPoP challenge may come
// anywhere among others, in one field line or several (RFC 9110 §11.6.1;
// RFC 9449 §7.2 shows "Bearer, DPoP ...").
func useNonceAtResource(resp *http.Response) bool {
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("DPoP-Nonce") == "" {
		return false
	}
	for _, ch := range parseChallenges(resp.Header.Values("WWW-Authenticate")) {
		if ch.is(dpopScheme) && ch.param("error") == "use_dpop_nonce" {
			return true
		}
	}
	return false
}

// replayable returns a function that gives req's body again, or nil when
// it cannot be given twice.
func replayable(req *http.Request) func() (io.ReadCloser, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return func() (io.ReadCloser, error) { return http.NoBody, nil }
	}
	return req.GetBody
}

// dpopRoundTrip sends an API request with a DPoP-bound token: the
// Authorization scheme DPoP and a fresh proof with ath (RFC 9449 §7.1),
// retried once with the resource server's nonce when it demands one (§9).
// Like every signing, it runs only for requests the host guard let through.
// memo is the request's memo of tok's key, nil when there is none.
func (p *oauth2Protocol) dpopRoundTrip(base http.RoundTripper, req *http.Request, tok *Token, memo *dpopMemo) (*http.Response, error) {
	key, err := memo.load(tok)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	send := func(r *http.Request) (*http.Response, error) {
		proof, err := key.proof(r.Method, r.URL, tok.AccessToken, p.apiNonces.get(r.URL))
		if err != nil {
			return nil, err
		}
		r.Header.Set("Authorization", dpopScheme+" "+tok.AccessToken)
		r.Header.Set("DPoP", proof)
		resp, err := base.RoundTrip(r)
		if err == nil {
			p.apiNonces.update(r.URL, resp)
		}
		return resp, err
	}
	getBody := replayable(req)
	resp, err := send(req)
	if err != nil || !useNonceAtResource(resp) || getBody == nil {
		return resp, err
	}
	body, err := getBody()
	if err != nil {
		return resp, nil
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	retry := req.Clone(req.Context())
	retry.Body = body
	return send(retry)
}

// refreshKey is the DPoP key for refreshing old: its own (a bound token's
// key that cannot be loaded is ErrDPoPKey, never replaced), a new one when
// DPoP was switched on after old was issued as a bearer token, nil
// without DPoP.
func (p *oauth2Protocol) refreshKey(old *Token) (*dpopKey, error) {
	switch {
	case old.isDPoP():
		return loadDPoPKey(old.DPoPKey)
	case p.cfg.DPoP:
		return newDPoPKey()
	}
	return nil, nil
}
