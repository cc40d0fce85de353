package gintest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gindance/gindance/blueprint"
)

// OIDCOptions configure an OIDCProvider.
type OIDCOptions struct {
	// ClientID and ClientSecret are the one registered client. Empty:
	// DefaultClientID and DefaultClientSecret. Any loopback redirect URI
	// is accepted.
	ClientID, ClientSecret string
	// User is who every authorization is approved as; its ID is the sub
	// claim. Nil: user "u-1", "alice".
	User *User
	// Claims are added to the id_token and the userinfo answer, such as
	// {"hd": "example.com"} for a Google Workspace account.
	Claims map[string]any
	// Alg signs id_tokens: "RS256" (default) or "ES256". The JWKS always
	// publishes both keys.
	Alg string
	// IssParameter advertises authorization_response_iss_parameter_supported
	// and adds iss to every authorization response (RFC 9207).
	IssParameter bool
	// IDTokenOnRefresh returns a new id_token with refresh_token grants
	// (OpenID Connect Core §12.2).
	IDTokenOnRefresh bool
	// TokenLifetime is the lifetime of access tokens and id_tokens. Zero:
	// DefaultTokenLifetime.
	TokenLifetime time.Duration
	// Now is the provider's clock. Nil: time.Now.
	Now func() time.Time

	// IssuerTrailingSlash makes the issuer identifier URL()+"/", as some
	// servers have it: in discovery, id_tokens and the iss of
	// authorization responses. Discovery stays at
	// URL()+"/.well-known/openid-configuration". An RP configured with
	// URL() must then fail discovery (issuers compare exactly).
	IssuerTrailingSlash bool
	// NoPostLogoutRedirectURI is a client with no registered post-logout
	// redirect URI: an end_session request that carries
	// post_logout_redirect_uri is refused with 400, as providers refuse an
	// unregistered one; a request without it shows the provider's own
	// signed-out page (OpenID Connect RP-Initiated Logout 1.0 §2).
	NoPostLogoutRedirectURI bool
	// ProfileInUserinfoOnly leaves the profile and email claims (name,
	// preferred_username, email, email_verified, picture) out of id_tokens
	// and returns them from /userinfo only, as servers that issue an
	// access token may (OpenID Connect Core §5.4). Other Claims stay in
	// both.
	ProfileInUserinfoOnly bool
	// MultiTenant makes the issuer a template, as Microsoft Entra ID's
	// multi-tenant endpoints do: discovery (still at URL()) names the
	// issuer IssuerTemplate(), URL()+"/{tenantid}", and each login's
	// id_token carries the tid claim of the current tenant (Tenant,
	// SetTenant) and the iss URL()+"/"+tid; so does the authorization
	// response's iss with IssParameter.
	MultiTenant bool
	// Tenant is the tenant of logins with MultiTenant. Empty:
	// DefaultTenant.
	Tenant string
	// CheckClientSecret, when set, decides whether a client secret is the
	// client's instead of comparing it with ClientSecret: for clients
	// whose secret is a JWT they sign (Sign in with Apple).
	CheckClientSecret func(secret string) bool
	// FormFields are added to every form_post response, as Sign in with
	// Apple adds its user field (the user's name, JSON) at the first
	// authorization.
	FormFields map[string]string
	// Quirks make it behave like a provider that departs from the plain
	// shape (issuer path, client_secret_post only, no nonce, ...).
	Quirks OIDCQuirks
	// SignedUserinfo makes /userinfo answer a JWT (application/jwt,
	// OpenID Connect Core §5.3.2) signed as id_tokens are, with iss and
	// aud, as for a client registered with userinfo_signed_response_alg.
	SignedUserinfo bool
	// PAR serves POST /par (RFC 9126) and advertises it as
	// pushed_authorization_request_endpoint; RequirePAR advertises
	// require_pushed_authorization_requests and refuses authorization
	// requests without a request_uri from /par.
	PAR, RequirePAR bool
}

// DefaultTenant is the tenant ID of a MultiTenant OIDCProvider's logins
// until SetTenant.
const DefaultTenant = "00000000-0000-4000-8000-000000000001"

// OIDCFailure makes an OIDCProvider misbehave, for negative tests. The
// zero value injects nothing. The id_token knobs apply to every id_token
// issued while set, at login and refresh.
type OIDCFailure struct {
	WrongIssuer   bool   // iss of the id_token is another issuer
	WrongAudience bool   // aud is another client
	ExtraAudience bool   // aud has a second audience and no azp
	WrongNonce    bool   // nonce is not the one of the authorization request
	Expired       bool   // exp is an hour ago
	MissingIAT    bool   // no iat claim
	MissingSub    bool   // no sub claim
	BadSignature  bool   // the signature is altered
	AlgNone       bool   // an unsigned token, alg "none"
	HS256         bool   // HMAC-signed with the RSA public key as secret (algorithm confusion)
	UnknownKID    bool   // signed by a key the JWKS does not publish
	TenantIssuer  string // MultiTenant: iss names this tenant instead of the token's tid
	OtherSub      string // sub is this value instead of the user's (at refresh: a user swap)

	UserinfoOtherSub bool // /userinfo answers for another sub
	// UserinfoStatus makes /userinfo answer with this status (a 401 with
	// WWW-Authenticate: Bearer error="invalid_token", RFC 6750 §3) and a
	// body that echoes the request's Authorization header, as a
	// misbehaving server's debug page might.
	UserinfoStatus int
	// UserinfoPadding adds this many bytes to the /userinfo body: filler
	// after an error body, or a "padding" claim in a JSON answer. It is
	// written in chunks, so that the provider allocates little for it.
	UserinfoPadding int
	// With SignedUserinfo: the userinfo JWT's signature is altered, or
	// its aud is another client.
	UserinfoBadSignature, UserinfoWrongAudience bool
	IssParam                                    string // the authorization response's iss is this value
	OmitIssParam                                bool   // the authorization response has no iss, although advertised
	// DiscoveryIssuer makes the discovery document name this issuer.
	DiscoveryIssuer string
}

// OIDCProvider is a fake OpenID Connect provider:
//
//	GET  /.well-known/openid-configuration  discovery (OpenID Connect Discovery 1.0)
//	GET  /jwks                              RS256 and ES256 public keys
//	GET  /authorize                         code flow with PKCE S256, approved at once; nonce kept for the id_token;
//	                                        response_mode query (default) or form_post (an auto-submitting page)
//	POST /token                             authorization_code and refresh_token grants; id_token signed with go-jose
//	GET  /userinfo                          the user's claims, for a Bearer access token
//	GET  /end_session                       RP-initiated logout: back to post_logout_redirect_uri with state
//
// Its issuer is its URL. RotateKeys replaces the signing keys; Fail makes
// it misbehave.
type OIDCProvider struct {
	server
	opts    OIDCOptions
	mux     *http.ServeMux
	failure atomic.Pointer[OIDCFailure]

	mu          sync.Mutex
	rsaKey      jose.JSONWebKey
	ecKey       jose.JSONWebKey
	retired     []jose.JSONWebKey // still published after RotateKeys(true)
	codes       map[string]*oidcCode
	access      map[string]string // access token -> sub
	refresh     map[string]*oidcCode
	endSessions []url.Values
	revocations []url.Values
	pushed      map[string]*pushedRequest
	sids        []string // the sessions logins were given, oldest first
	discoveries int
	jwksFetches int
}

type oidcCode struct {
	redirect, challenge, nonce, scope string
	tenant                            string // MultiTenant: the login's tid
	sid                               string // the session at the provider (Back-Channel Logout 1.0 §2.4)
	user                              User
	used                              bool
	expires                           time.Time
}

// NewOIDCProvider returns an OIDCProvider not listening anywhere; see
// NewProvider.
func NewOIDCProvider(opts OIDCOptions) *OIDCProvider {
	if opts.ClientID == "" {
		opts.ClientID, opts.ClientSecret = DefaultClientID, DefaultClientSecret
	}
	if opts.User == nil {
		opts.User = &User{ID: "u-1", Login: "alice", Name: "Alice", Email: "alice@example.test", EmailVerified: true}
	}
	opts.User = copyUser(opts.User)
	opts.Claims = maps.Clone(opts.Claims)
	opts.FormFields = maps.Clone(opts.FormFields)
	opts.Quirks.TokenExtra = maps.Clone(opts.Quirks.TokenExtra)
	if opts.Alg == "" {
		opts.Alg = "RS256"
	}
	if opts.TokenLifetime == 0 {
		opts.TokenLifetime = DefaultTokenLifetime
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Tenant == "" {
		opts.Tenant = DefaultTenant
	}
	p := &OIDCProvider{opts: opts, codes: map[string]*oidcCode{}, access: map[string]string{}, refresh: map[string]*oidcCode{},
		pushed: map[string]*pushedRequest{}}
	p.rsaKey, p.ecKey = newRSAKey(), newECKey()
	p.mux = http.NewServeMux()
	p.mux.HandleFunc("GET /.well-known/openid-configuration", p.handleDiscovery)
	p.mux.HandleFunc("GET /jwks", p.handleJWKS)
	p.mux.HandleFunc("GET /authorize", p.handleAuthorize)
	p.mux.HandleFunc("POST /token", p.tokenHandler())
	p.mux.HandleFunc("GET /userinfo", p.handleUserinfo)
	p.mux.HandleFunc("GET /end_session", p.handleEndSession)
	p.routeQuirks()
	if opts.PAR {
		p.mux.HandleFunc("POST /par", p.handlePAR)
	}
	return p
}

// StartOIDCProvider returns an OIDCProvider serving on a new
// httptest.Server on 127.0.0.1. Call Close when done.
func StartOIDCProvider(opts OIDCOptions) *OIDCProvider {
	p := NewOIDCProvider(opts)
	p.start(p)
	return p
}

func newRSAKey() jose.JSONWebKey {
	k, _ := rsa.GenerateKey(rand.Reader, 2048) // never fails with crypto/rand
	return jose.JSONWebKey{Key: k, KeyID: "rsa-" + newSecret("")[:8], Algorithm: "RS256", Use: "sig"}
}

func newECKey() jose.JSONWebKey {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return jose.JSONWebKey{Key: k, KeyID: "ec-" + newSecret("")[:8], Algorithm: "ES256", Use: "sig"}
}

// ServeHTTP serves the provider's endpoints.
func (p *OIDCProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.mux.ServeHTTP(w, r) }

// Issuer returns the issuer identifier: URL(), with a trailing slash when
// OIDCOptions.IssuerTrailingSlash is set, or followed by
// OIDCQuirks.IssuerPath. With MultiTenant it is where discovery is (as
// Entra ID's /common is).
func (p *OIDCProvider) Issuer() string {
	if p.opts.IssuerTrailingSlash {
		return p.URL() + "/"
	}
	return p.URL() + p.issuerPath()
}

// IssuerTemplate returns the template the discovery document names with
// MultiTenant, URL()+"/{tenantid}"; "" without.
func (p *OIDCProvider) IssuerTemplate() string {
	if !p.opts.MultiTenant {
		return ""
	}
	return p.URL() + "/{tenantid}"
}

// TenantIssuer returns the issuer of tenant tid with MultiTenant,
// URL()+"/"+tid.
func (p *OIDCProvider) TenantIssuer(tid string) string { return p.URL() + "/" + tid }

// SetTenant sets the tenant of later logins, with MultiTenant.
func (p *OIDCProvider) SetTenant(tid string) {
	p.mu.Lock()
	p.opts.Tenant = tid
	p.mu.Unlock()
}

// tenant is the current tenant.
func (p *OIDCProvider) tenant() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.opts.Tenant
}

// issuerOf is the issuer that signs a login of tenant tid.
func (p *OIDCProvider) issuerOf(tid string) string {
	if p.opts.MultiTenant {
		return p.TenantIssuer(tid)
	}
	return p.Issuer()
}

// Fail replaces the failure knobs; Fail(OIDCFailure{}) clears them.
func (p *OIDCProvider) Fail(f OIDCFailure) { p.failure.Store(&f) }

func (p *OIDCProvider) knobs() OIDCFailure {
	if f := p.failure.Load(); f != nil {
		return *f
	}
	return OIDCFailure{}
}

// SetClaims replaces the extra claims of later id_tokens and userinfo
// answers.
func (p *OIDCProvider) SetClaims(c map[string]any) {
	p.mu.Lock()
	p.opts.Claims = maps.Clone(c)
	p.mu.Unlock()
}

// RotateKeys replaces both signing keys with new ones (new kids). With
// keepOld the old public keys stay published, as during a planned
// rotation; without, they vanish at once.
func (p *OIDCProvider) RotateKeys(keepOld bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if keepOld {
		p.retired = append(p.retired, p.rsaKey.Public(), p.ecKey.Public())
	} else {
		p.retired = nil
	}
	p.rsaKey, p.ecKey = newRSAKey(), newECKey()
}

// SigningKeyID returns the kid id_tokens are signed with now.
func (p *OIDCProvider) SigningKeyID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.opts.Alg == "ES256" {
		return p.ecKey.KeyID
	}
	return p.rsaKey.KeyID
}

// Fetches returns how often the discovery document and the JWKS were
// served.
func (p *OIDCProvider) Fetches() (discovery, jwks int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.discoveries, p.jwksFetches
}

// EndSessions returns the query of every end_session request so far.
func (p *OIDCProvider) EndSessions() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]url.Values(nil), p.endSessions...)
}

// OAuth2Config returns a blueprint configuration with the provider's
// client and explicit endpoints, for tests of plain OAuth 2.0 code against
// it, with the provider's LoginCookieKey; providers/oidc needs only Issuer
// and the client.
func (p *OIDCProvider) OAuth2Config() blueprint.OAuth2Config {
	return blueprint.OAuth2Config{ClientID: p.opts.ClientID, ClientSecret: p.opts.ClientSecret,
		AuthURL: p.URL() + "/authorize", TokenURL: p.URL() + "/token", Issuer: p.Issuer(),
		Options: blueprint.Options{LoginCookieKey: p.LoginCookieKey()}}
}

func (p *OIDCProvider) handleDiscovery(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	p.discoveries++
	p.mu.Unlock()
	base := p.URL()
	iss := p.Issuer()
	if p.opts.MultiTenant {
		iss = p.IssuerTemplate()
	}
	if f := p.knobs(); f.DiscoveryIssuer != "" {
		iss = f.DiscoveryIssuer
	}
	doc := map[string]any{
		"issuer":                                         iss,
		"authorization_endpoint":                         base + "/authorize",
		"token_endpoint":                                 base + "/token",
		"userinfo_endpoint":                              base + "/userinfo",
		"jwks_uri":                                       base + "/jwks",
		"end_session_endpoint":                           base + "/end_session",
		"response_types_supported":                       []string{"code"},
		"subject_types_supported":                        []string{"public"},
		"id_token_signing_alg_values_supported":          []string{"RS256", "ES256"},
		"code_challenge_methods_supported":               []string{"S256"},
		"scopes_supported":                               []string{"openid", "profile", "email"},
		"authorization_response_iss_parameter_supported": p.opts.IssParameter,
		"require_pushed_authorization_requests":          p.opts.RequirePAR,
	}
	if p.opts.PAR {
		doc["pushed_authorization_request_endpoint"] = base + "/par"
	}
	p.discoveryQuirks(doc)
	writeJSON(w, http.StatusOK, doc)
}

func (p *OIDCProvider) handleJWKS(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	p.jwksFetches++
	keys := append([]jose.JSONWebKey{p.rsaKey.Public(), p.ecKey.Public()}, p.retired...)
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: keys})
}

func (p *OIDCProvider) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q, ok := p.pushedParams(r.URL.Query())
	if !ok {
		http.Error(w, "unknown or used request_uri, or a pushed authorization request is required", http.StatusBadRequest)
		return
	}
	redirect := q.Get("redirect_uri")
	u, err := url.Parse(redirect)
	if q.Get("client_id") != p.opts.ClientID || err != nil || u.Scheme != "http" || !isLoopback(u.Hostname()) {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back := url.Values{"state": {q.Get("state")}}
	f := p.knobs()
	tenant := p.tenant()
	switch {
	case f.IssParam != "":
		back.Set("iss", f.IssParam)
	case p.opts.IssParameter && !f.OmitIssParam:
		back.Set("iss", p.issuerOf(tenant))
	}
	switch {
	case q.Get("response_type") != "code" || !hasScope(q.Get("scope"), "openid"):
		back.Set("error", "invalid_request")
		back.Set("error_description", "response_type=code and scope openid are required")
	case !p.opts.Quirks.RejectPKCE && (q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256"):
		back.Set("error", "invalid_request")
		back.Set("error_description", "PKCE S256 is required")
	default:
		code := newSecret("oc_")
		p.mu.Lock()
		sid := newSecret("sid-")[:28]
		p.codes[code] = &oidcCode{redirect: redirect, challenge: q.Get("code_challenge"), nonce: q.Get("nonce"),
			scope: q.Get("scope"), user: *p.opts.User, tenant: tenant, expires: p.opts.Now().Add(codeLifetime), sid: sid}
		p.sids = append(p.sids, sid)
		p.mu.Unlock()
		back.Set("code", code)
	}
	if q.Get("response_mode") == ResponseModeFormPost {
		for k, v := range p.opts.FormFields {
			back.Set(k, v)
		}
		writeFormPost(w, redirect, back)
		return
	}
	own := u.Query()
	for k, v := range back {
		own[k] = v
	}
	u.RawQuery = own.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (p *OIDCProvider) clientOK(r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	if ok && p.opts.Quirks.PostAuthOnly {
		return false
	}
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	if p.opts.CheckClientSecret != nil {
		return id == p.opts.ClientID && p.opts.CheckClientSecret(secret)
	}
	return id == p.opts.ClientID && subtle.ConstantTimeCompare([]byte(secret), []byte(p.opts.ClientSecret)) == 1
}

func (p *OIDCProvider) handleToken(w http.ResponseWriter, r *http.Request) {
	if !p.clientOK(r) || (p.opts.Quirks.RejectPKCE && r.PostFormValue("code_verifier") != "") {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	var grant *oidcCode
	withIDToken := true
	p.mu.Lock()
	switch r.PostFormValue("grant_type") {
	case "authorization_code":
		c := p.codes[r.PostFormValue("code")]
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		if c != nil && !c.used && p.opts.Now().Before(c.expires) && c.redirect == r.PostFormValue("redirect_uri") &&
			(c.challenge == "" && p.opts.Quirks.RejectPKCE || base64.RawURLEncoding.EncodeToString(sum[:]) == c.challenge) {
			c.used, grant = true, c
		}
	case "refresh_token":
		grant = p.refresh[r.PostFormValue("refresh_token")]
		withIDToken = p.opts.IDTokenOnRefresh
	}
	var access, refresh string
	if grant != nil {
		access, refresh = newSecret("oat_"), newSecret("ort_")
		p.access[access] = grant.user.ID
		p.refresh[refresh] = grant
		delete(p.refresh, r.PostFormValue("refresh_token")) // rotation
	}
	p.mu.Unlock()
	if grant == nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	resp := map[string]any{"access_token": access, "token_type": "Bearer", "refresh_token": refresh,
		"expires_in": int(p.opts.TokenLifetime.Seconds()), "scope": grant.scope}
	if withIDToken {
		resp["id_token"] = p.idToken(grant, access)
	}
	p.tokenResponseQuirks(resp)
	writeJSON(w, http.StatusOK, resp)
}

// userClaims are the user's claims, for the id_token and userinfo.
func (p *OIDCProvider) userClaims(u User) map[string]any {
	c := map[string]any{"sub": u.ID, "name": u.Name, "preferred_username": u.Login}
	if u.Email != "" {
		c["email"], c["email_verified"] = u.Email, u.EmailVerified
	}
	if u.AvatarURL != "" {
		c["picture"] = u.AvatarURL
	}
	p.mu.Lock()
	maps.Copy(c, p.opts.Claims)
	p.mu.Unlock()
	return c
}

// IDToken returns an id_token for the provider's user with the given
// nonce, signed and shaped as the current knobs say, for tests that hand a
// client a token directly.
func (p *OIDCProvider) IDToken(nonce string) string {
	return p.idToken(&oidcCode{nonce: nonce, user: *p.opts.User, tenant: p.tenant()}, "")
}

func (p *OIDCProvider) idToken(g *oidcCode, accessToken string) string {
	f := p.knobs()
	now := p.opts.Now()
	c := p.userClaims(g.user)
	if p.opts.ProfileInUserinfoOnly {
		for _, k := range []string{"name", "preferred_username", "email", "email_verified", "picture"} {
			delete(c, k)
		}
	}
	c["iss"], c["aud"] = p.issuerOf(g.tenant), p.opts.ClientID
	if p.opts.MultiTenant {
		c["tid"] = g.tenant
		if f.TenantIssuer != "" {
			c["iss"] = p.TenantIssuer(f.TenantIssuer)
		}
	}
	if g.sid != "" {
		c["sid"] = g.sid
	}
	c["iat"], c["exp"] = now.Unix(), now.Add(p.opts.TokenLifetime).Unix()
	if g.nonce != "" && !p.opts.Quirks.IgnoreNonce {
		c["nonce"] = g.nonce
	}
	if accessToken != "" { // OpenID Connect Core §3.1.3.8 (optional for the code flow)
		sum := sha256.Sum256([]byte(accessToken))
		c["at_hash"] = base64.RawURLEncoding.EncodeToString(sum[:16])
	}
	switch {
	case f.WrongIssuer:
		c["iss"] = "https://evil.example"
	case f.WrongAudience:
		c["aud"] = "another-client"
	case f.ExtraAudience:
		c["aud"] = []string{p.opts.ClientID, "another-client"}
	}
	if f.WrongNonce {
		c["nonce"] = "not-the-nonce"
	}
	if f.Expired {
		c["exp"] = now.Add(-time.Hour).Unix()
	}
	if f.MissingIAT {
		delete(c, "iat")
	}
	if f.OtherSub != "" {
		c["sub"] = f.OtherSub
	}
	if f.MissingSub {
		delete(c, "sub")
	}
	payload, _ := json.Marshal(c)
	return p.sign(payload, f)
}

func (p *OIDCProvider) sign(payload []byte, f OIDCFailure) string {
	p.mu.Lock()
	key := p.rsaKey
	alg := jose.RS256
	if p.opts.Alg == "ES256" {
		key, alg = p.ecKey, jose.ES256
	}
	p.mu.Unlock()
	switch {
	case f.AlgNone:
		head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		return head + "." + base64.RawURLEncoding.EncodeToString(payload) + "."
	case f.HS256:
		der, _ := x509.MarshalPKIXPublicKey(&p.rsaKey.Key.(*rsa.PrivateKey).PublicKey)
		secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		return mustSign(jose.SigningKey{Algorithm: jose.HS256, Key: jose.JSONWebKey{Key: secret, KeyID: p.rsaKey.KeyID}}, payload)
	case f.UnknownKID:
		stranger := newRSAKey()
		return mustSign(jose.SigningKey{Algorithm: jose.RS256, Key: stranger}, payload)
	}
	tok := mustSign(jose.SigningKey{Algorithm: alg, Key: key}, payload)
	if f.BadSignature {
		i := strings.LastIndexByte(tok, '.') + 2
		b := []byte(tok)
		b[i] = map[bool]byte{true: 'B', false: 'A'}[b[i] == 'A']
		tok = string(b)
	}
	return tok
}

func mustSign(key jose.SigningKey, payload []byte) string {
	return mustSignTyped(key, payload, "JWT")
}

// mustSignTyped signs payload with the typ header typ.
func mustSignTyped(key jose.SigningKey, payload []byte, typ string) string {
	s, err := jose.NewSigner(key, (&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
	if err != nil {
		panic("gintest: " + err.Error())
	}
	jws, err := s.Sign(payload)
	if err != nil {
		panic("gintest: " + err.Error())
	}
	out, _ := jws.CompactSerialize()
	return out
}

func (p *OIDCProvider) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	tok, ok := bearerToken(r)
	p.mu.Lock()
	sub, known := p.access[tok]
	p.mu.Unlock()
	if !ok || !known {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	f := p.knobs()
	if f.UserinfoStatus != 0 {
		if f.UserinfoStatus == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="echo: `+tok+`"`)
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(f.UserinfoStatus)
		_, _ = io.WriteString(w, "upstream failed for Authorization: "+r.Header.Get("Authorization")+"\n")
		writePadding(w, f.UserinfoPadding)
		return
	}
	u := *p.opts.User
	u.ID = sub
	c := p.userClaims(u)
	if f.UserinfoOtherSub {
		c["sub"] = "someone-else"
	}
	if !p.opts.SignedUserinfo && f.UserinfoPadding > 0 {
		b, _ := json.Marshal(c)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b[:len(b)-1])
		_, _ = io.WriteString(w, `,"padding":"`)
		writePadding(w, f.UserinfoPadding)
		_, _ = io.WriteString(w, `"}`)
		return
	}
	if !p.opts.SignedUserinfo {
		writeJSON(w, http.StatusOK, c)
		return
	}
	c["iss"], c["aud"] = p.Issuer(), p.opts.ClientID
	if f.UserinfoWrongAudience {
		c["aud"] = "another-client"
	}
	payload, _ := json.Marshal(c)
	w.Header().Set("Content-Type", "application/jwt")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, p.sign(payload, OIDCFailure{BadSignature: f.UserinfoBadSignature}))
}

// writePadding writes n bytes of 'x' to w, 32 KiB at a time.
func writePadding(w io.Writer, n int) {
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	for n > 0 {
		k := min(n, len(chunk))
		if _, err := w.Write(chunk[:k]); err != nil {
			return
		}
		n -= k
	}
}

func (p *OIDCProvider) handleEndSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.endSessions = append(p.endSessions, q)
	p.mu.Unlock()
	target := q.Get("post_logout_redirect_uri")
	if target != "" && p.opts.NoPostLogoutRedirectURI {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request",
			"error_description": "post_logout_redirect_uri is not registered for this client"})
		return
	}
	u, err := url.Parse(target)
	if target == "" || err != nil || !isLoopback(u.Hostname()) {
		pageHeaders(w)
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, signedOutPage)
		return
	}
	back := u.Query()
	if s := q.Get("state"); s != "" {
		back.Set("state", s)
	}
	u.RawQuery = back.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func hasScope(scope, want string) bool {
	for s := range strings.FieldsSeq(scope) {
		if s == want {
			return true
		}
	}
	return false
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
