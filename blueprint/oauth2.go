package blueprint

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// NewOAuth2 returns a blueprint for an OAuth 2.0 provider (RFC 6749) using
// the authorization code grant with PKCE (RFC 7636). name is the path
// segment it mounts under and the key its tokens are stored by.
func NewOAuth2(name string, cfg OAuth2Config) *Blueprint {
	s := commonSettings(cfg.APIBaseURL, cfg.RedirectURL, cfg.RedirectTo, cfg.Options)
	p := &oauth2Protocol{name: name, cfg: cfg, timeout: s.timeout, client: s.provider, now: s.now}
	p.cfg.Scopes = append([]string(nil), cfg.Scopes...)
	p.authParams = staticAuthParams(&p.cfg)
	if len(cfg.ClientKeys) > 0 && p.cfg.TokenAuth == ClientSecretBasic {
		p.cfg.TokenAuth = PrivateKeyJWT
	}
	p.prepareClientAuth()
	return newBlueprint(name, s, p, cfg.Options, p.loginKeySecret(), cfg.ClientID)
}

// oauth2Protocol is the OAuth 2.0 authorization code flow on x/oauth2.
type oauth2Protocol struct {
	name    string
	cfg     OAuth2Config
	timeout time.Duration
	client  *http.Client
	now     func() time.Time // the blueprint's clock (Options.Now)

	authParams string // the static part of the authorization URL's query

	keys         []preparedKey // ClientKeys, for private_key_jwt
	secretSigner jose.Signer   // for client_secret_jwt
	authErr      error         // a ClientKeys or client secret problem, reported by validate

	// DPoP-Nonce per origin, apart for the authorization server (token
	// endpoint, RFC 9449 §8) and resource servers (API calls, §9): one
	// origin may serve both, each with nonces of its own.
	tokenNonces, apiNonces nonces
}

// prepareClientAuth builds the signers of JWT client authentication.
func (p *oauth2Protocol) prepareClientAuth() {
	switch p.cfg.TokenAuth {
	case PrivateKeyJWT:
		if len(p.cfg.ClientKeys) == 0 {
			p.authErr = fmt.Errorf("%w: %s: TokenAuth is PrivateKeyJWT but ClientKeys is empty", ErrConfig, p.name)
			return
		}
		p.keys, p.authErr = prepareKeys(p.cfg.ClientKeys)
		return
	}
	if len(p.cfg.ClientKeys) > 0 {
		p.authErr = fmt.Errorf("%w: %s: ClientKeys are for private_key_jwt but TokenAuth selects another method", ErrConfig, p.name)
		return
	}
	switch p.cfg.TokenAuth {
	case ClientSecretJWT:
		if p.cfg.ClientSecret == "" {
			p.authErr = fmt.Errorf("%w: %s: TokenAuth is ClientSecretJWT but ClientSecret is empty", ErrConfig, p.name)
			return
		}
		if len(p.cfg.ClientSecret) < 32 {
			// RFC 7518 §3.2: an HS256 key must be at least 256 bits.
			p.authErr = fmt.Errorf("%w: %s: ClientSecretJWT needs a ClientSecret of at least 32 bytes (RFC 7518 §3.2)", ErrConfig, p.name)
			return
		}
		p.secretSigner, p.authErr = newSecretSigner(p.cfg.ClientSecret)
	}
}

func (p *oauth2Protocol) validate() error {
	if v := p.cfg.Protocol.Validate; v != nil {
		if err := v(); err != nil {
			return err
		}
	}
	switch {
	case p.cfg.ClientID == "":
		return missingCredential(p.name, "OAuth2Config.ClientID")
	case p.cfg.Protocol.Endpoints == nil && (p.cfg.AuthURL == "" || p.cfg.TokenURL == ""):
		return fmt.Errorf("%w: %s: AuthURL and TokenURL are required", ErrConfig, p.name)
	case p.authErr != nil:
		return p.authErr
	case p.cfg.ClientSecret == "" && !p.cfg.PublicClient && p.cfg.TokenAuth != PrivateKeyJWT:
		return fmt.Errorf("%w (a client without a secret sets OAuth2Config.PublicClient)", missingCredential(p.name, "OAuth2Config.ClientSecret"))
	}
	switch {
	case p.cfg.AssertionAudienceTokenURL && !p.jwtAuth():
		return fmt.Errorf("%w: %s: AssertionAudienceTokenURL sets the aud of client assertions, but TokenAuth sends none: "+
			"set TokenAuth to PrivateKeyJWT (or ClientKeys) or ClientSecretJWT, or leave it unset", ErrConfig, p.name)
	case p.cfg.ClockSkew != 0 && p.cfg.Protocol.VerifyLogin == nil:
		return fmt.Errorf("%w: %s: ClockSkew applies to id_token checks, and this blueprint verifies none: "+
			"use providers/oidc for OpenID Connect, or leave it unset", ErrConfig, p.name)
	}
	if p.cfg.PushAuthorizationRequests && p.cfg.PARURL == "" && p.cfg.Protocol.Endpoints == nil {
		return fmt.Errorf("%w (%s: set PARURL)", ErrPARRequired, p.name)
	}
	for _, u := range []string{p.cfg.AuthURL, p.cfg.TokenURL, p.cfg.RevocationURL, p.cfg.PARURL, p.cfg.RedirectURL} {
		if u == "" {
			continue
		}
		if parsed, err := url.Parse(u); err != nil || parsed.Scheme == "" || parsed.Host == "" {
			return fmt.Errorf("%w: %s: %q is not an absolute URL", ErrConfig, p.name, u)
		}
	}
	return nil
}

// endpoints returns the configured endpoints, completed by discovery when a
// provider package set the Endpoints hook.
func (p *oauth2Protocol) endpoints(ctx context.Context) (Endpoints, error) {
	ep := Endpoints{AuthURL: p.cfg.AuthURL, TokenURL: p.cfg.TokenURL, RevocationURL: p.cfg.RevocationURL,
		PARURL: p.cfg.PARURL, Issuer: p.cfg.Issuer, RequireIssuer: p.cfg.RequireIssuer}
	if p.cfg.Protocol.Endpoints == nil {
		return ep, nil
	}
	d, err := p.cfg.Protocol.Endpoints(ctx)
	if err != nil {
		return ep, err
	}
	if d.AuthURL != "" {
		ep.AuthURL = d.AuthURL
	}
	if d.TokenURL != "" {
		ep.TokenURL = d.TokenURL
	}
	if d.RevocationURL != "" {
		ep.RevocationURL = d.RevocationURL
	}
	if d.PARURL != "" {
		ep.PARURL = d.PARURL
	}
	if d.Issuer != "" {
		ep.Issuer = d.Issuer
	}
	ep.RequireIssuer = ep.RequireIssuer || d.RequireIssuer
	ep.MatchIssuer = d.MatchIssuer
	ep.RequirePAR = d.RequirePAR
	return ep, nil
}

// config is the x/oauth2 config for one call.
func (p *oauth2Protocol) config(ep Endpoints, redirect string) *oauth2.Config {
	style, secret := oauth2.AuthStyleInHeader, p.cfg.ClientSecret
	switch {
	case p.cfg.TokenAuth == ClientSecretPost:
		style = oauth2.AuthStyleInParams
	case p.jwtAuth():
		// x/oauth2 sends client_id alone; providerTransport adds the
		// assertion. The secret of client_secret_jwt never leaves.
		style, secret = oauth2.AuthStyleInParams, ""
	}
	return &oauth2.Config{
		ClientID: p.cfg.ClientID, ClientSecret: secret,
		Endpoint:    oauth2.Endpoint{AuthURL: ep.AuthURL, TokenURL: ep.TokenURL, AuthStyle: style},
		RedirectURL: redirect, Scopes: p.cfg.Scopes,
	}
}

func (p *oauth2Protocol) begin(c *gin.Context, tx *transaction) (string, error) {
	ep, err := p.endpoints(c.Request.Context())
	if err != nil {
		return "", err
	}
	par, err := p.parOn(ep)
	if err != nil {
		return "", err
	}
	state := randomString(32)
	tx.Key = hashKey(state)
	tx.Issuer = ep.Issuer
	if p.cfg.FormPost {
		tx.Mode = ResponseModeFormPost
	}
	// The URL x/oauth2's AuthCodeURL would build, without a url.Values map,
	// its sort and an option closure per parameter on every login: the
	// static parameters are encoded once, at construction.
	var sb strings.Builder
	sb.Grow(len(ep.AuthURL) + len(p.authParams) + len(tx.Redirect) + 200)
	sb.WriteString(ep.AuthURL)
	if strings.Contains(ep.AuthURL, "?") {
		sb.WriteByte('&')
	} else {
		sb.WriteByte('?')
	}
	queryAt := sb.Len()
	sb.WriteString(p.authParams)
	sb.WriteString("&redirect_uri=")
	sb.WriteString(url.QueryEscape(tx.Redirect))
	sb.WriteString("&state=")
	sb.WriteString(state) // base64url: nothing to escape
	if !p.cfg.InsecureSkipPKCE {
		tx.Verifier = oauth2.GenerateVerifier()
		sum := sha256.Sum256([]byte(tx.Verifier))
		sb.WriteString("&code_challenge=")
		sb.WriteString(base64.RawURLEncoding.EncodeToString(sum[:]))
		sb.WriteString("&code_challenge_method=S256")
	}
	if p.cfg.Protocol.Nonce {
		tx.Nonce = randomString(24)
		sb.WriteString("&nonce=")
		sb.WriteString(tx.Nonce)
	}
	if par {
		// RFC 9126 §2.1: the same parameters, pushed instead of sent
		// through the browser.
		return p.pushAuthorization(c.Request.Context(), ep, sb.String()[queryAt:])
	}
	return sb.String(), nil
}

// staticAuthParams encodes the authorization request parameters that are
// the same for every login: response_type, client_id, scope and AuthParams.
func staticAuthParams(cfg *OAuth2Config) string {
	v := url.Values{"response_type": {"code"}, "client_id": {cfg.ClientID}}
	if len(cfg.Scopes) > 0 {
		v.Set("scope", strings.Join(cfg.Scopes, " "))
	}
	if cfg.FormPost {
		v.Set("response_mode", ResponseModeFormPost)
	}
	for k, val := range cfg.AuthParams {
		switch k {
		case "response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "nonce", "response_mode":
			continue // the flow's own parameters win, as with x/oauth2's options
		}
		v.Set(k, val)
	}
	return v.Encode()
}

// callbackState is the callback's state: from the query (gin parses it
// once per request and caches it) or a form_post body; complete reads the
// other parameters from the same place.
func (p *oauth2Protocol) callbackState(c *gin.Context) string { return responseParam(c, "state") }

func (p *oauth2Protocol) complete(c *gin.Context, tx *transaction) (*Token, error) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), p.timeout)
	defer cancel()
	ep, err := p.endpoints(ctx)
	if err != nil {
		return nil, err
	}
	// RFC 9207 §2.4: the issuer of the response must be the one the login
	// went to, for error responses too.
	iss := responseParam(c, "iss")
	if tx.Issuer != "" && (iss != "" || ep.RequireIssuer) && !issuerMatches(ep, tx.Issuer, iss) {
		return nil, ErrIssuerMismatch
	}
	if iss != "" {
		ctx = context.WithValue(ctx, responseIssuerKey{}, iss)
	}
	if code := responseParam(c, "error"); code != "" {
		return nil, &AuthError{Provider: p.name, Code: excerpt(code, 64),
			Description: excerpt(responseParam(c, "error_description"), 512), URI: excerpt(responseParam(c, "error_uri"), 512)}
	}
	code := responseParam(c, "code")
	if code == "" {
		return nil, ErrMissingCode
	}
	opts := []oauth2.AuthCodeOption{}
	if tx.Verifier != "" {
		opts = append(opts, oauth2.VerifierOption(tx.Verifier))
	}
	cfg := p.config(ep, tx.Redirect)
	var key *dpopKey
	if p.cfg.DPoP {
		if key, err = newDPoPKey(); err != nil {
			return nil, err
		}
	}
	tok, err := p.tokenCall(ctx, ep, key, "exchange", cfg.Scopes, func(ctx context.Context) (*oauth2.Token, error) {
		return cfg.Exchange(ctx, code, opts...)
	})
	if err != nil {
		return nil, err
	}
	if v := p.cfg.Protocol.VerifyLogin; v != nil {
		if err := v(ctx, tok, tx.Nonce); err != nil {
			return nil, err
		}
	}
	return tok, nil
}

func (p *oauth2Protocol) refresh(ctx context.Context, old *Token) (*Token, error) {
	if old.RefreshToken == "" {
		return nil, nil
	}
	ep, err := p.endpoints(ctx)
	if err != nil {
		return nil, err
	}
	cfg := p.config(ep, "")
	ot := old.toOAuth2()
	ot.AccessToken = ""
	key, err := p.refreshKey(old)
	if err != nil {
		return nil, err
	}
	tok, err := p.tokenCall(ctx, ep, key, "refresh", old.Scopes, func(ctx context.Context) (*oauth2.Token, error) {
		return cfg.TokenSource(ctx, ot).Token()
	})
	if err != nil {
		return nil, err
	}
	// RFC 6749 §6: a response without a new refresh token keeps the old one;
	// OpenID Connect §12.2: likewise the id_token.
	if tok.RefreshToken == "" {
		tok.RefreshToken = old.RefreshToken
	}
	if tok.IDToken == "" {
		tok.IDToken = old.IDToken
	}
	if v := p.cfg.Protocol.VerifyRefresh; v != nil {
		if err := v(ctx, old, tok); err != nil {
			return nil, err
		}
	}
	return tok, nil
}

func (p *oauth2Protocol) sign(req *http.Request, tok *Token) error {
	req.Header.Set("Authorization", p.authorization(tok))
	return nil
}

// authorization is the Authorization header value for tok.
func (p *oauth2Protocol) authorization(tok *Token) string {
	return tok.authorizationType() + " " + tok.AccessToken
}

// revoke revokes the refresh token (which revokes its access tokens too,
// RFC 7009 §2.1) or else the access token.
func (p *oauth2Protocol) revoke(ctx context.Context, tok *Token) error {
	ep, err := p.endpoints(ctx)
	if err != nil || ep.RevocationURL == "" {
		return err
	}
	form := url.Values{"token": {tok.AccessToken}, "token_type_hint": {"access_token"}}
	if tok.RefreshToken != "" {
		form = url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}}
	}
	resp, err := p.postForm(ctx, ep, ep.RevocationURL, form)
	if err != nil {
		return &ProviderError{Provider: p.name, Op: "revoke", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &ProviderError{Provider: p.name, Op: "revoke", StatusCode: resp.StatusCode}
	}
	return nil
}

// postForm posts form, with the client's authentication, to one of the
// provider's endpoints (revocation, PAR).
func (p *oauth2Protocol) postForm(ctx context.Context, ep Endpoints, endpoint string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, nil)
	if err != nil {
		return nil, err
	}
	if err := p.authenticate(req, form, ep); err != nil {
		return nil, err
	}
	body := form.Encode()
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return p.client.Do(req)
}
