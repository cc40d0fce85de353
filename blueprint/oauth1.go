package blueprint

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dghubble/oauth1"
	"github.com/gin-gonic/gin"
)

// NewOAuth1 returns a blueprint for an OAuth 1.0a provider (RFC 5849), such
// as Twitter's v1.1 API. Requests are signed with HMAC-SHA1 by
// github.com/dghubble/oauth1.
//
// A login fetches a request token (temporary credentials) with the signed
// callback URL and refuses it unless the provider confirmed the callback.
// The request token's secret stays in the login transaction (a sealed
// cookie, or the user's session; see Options.PendingLoginsInSession), never
// in a URL; the transaction is found by the callback's
// oauth_token, so a callback whose oauth_token is not the one this browser
// session obtained fails with ErrStateMismatch, and it is single use. A
// callback with denied= is an *AuthError with code access_denied.
//
// Tokens carry TokenSecret and never expire; Logout forgets them locally
// (OAuth 1.0a has no standard revocation).
func NewOAuth1(name string, cfg OAuth1Config) *Blueprint {
	s := commonSettings(cfg.APIBaseURL, cfg.RedirectURL, cfg.RedirectTo, cfg.Options)
	p := &oauth1Protocol{name: name, cfg: cfg, timeout: s.timeout, client: s.provider}
	return newBlueprint(name, s, p, cfg.Options, []byte(cfg.ConsumerSecret), cfg.ConsumerKey)
}

// oauth1Protocol is the OAuth 1.0a three-legged flow on dghubble/oauth1.
type oauth1Protocol struct {
	name    string
	cfg     OAuth1Config
	timeout time.Duration
	client  *http.Client
}

func (p *oauth1Protocol) validate() error {
	if v := p.cfg.Validate; v != nil {
		if err := v(); err != nil {
			return err
		}
	}
	switch {
	case p.cfg.ConsumerKey == "":
		return missingCredential(p.name, "OAuth1Config.ConsumerKey")
	case p.cfg.ConsumerSecret == "":
		return missingCredential(p.name, "OAuth1Config.ConsumerSecret")
	case p.cfg.RequestTokenURL == "" || p.cfg.AuthorizeURL == "" || p.cfg.AccessTokenURL == "":
		return fmt.Errorf("%w: %s: RequestTokenURL, AuthorizeURL and AccessTokenURL are required", ErrConfig, p.name)
	}
	if set := oauth2OnlyOptions(p.cfg.Options); len(set) > 0 {
		return fmt.Errorf("%w: %s: OAuth 1.0a cannot honour Options.%s (OAuth 2.0 only): leave it unset on this blueprint",
			ErrConfig, p.name, strings.Join(set, ", Options."))
	}
	for _, u := range []string{p.cfg.RequestTokenURL, p.cfg.AuthorizeURL, p.cfg.AccessTokenURL, p.cfg.RedirectURL} {
		if u == "" {
			continue
		}
		if parsed, err := url.Parse(u); err != nil || parsed.Scheme == "" || parsed.Host == "" {
			return fmt.Errorf("%w: %s: %q is not an absolute URL", ErrConfig, p.name, u)
		}
	}
	return nil
}

// oauth2OnlyOptions names the Options fields set in o that only an OAuth 2.0
// blueprint uses.
func oauth2OnlyOptions(o Options) []string {
	var set []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"DPoP", o.DPoP},
		{"ClientKeys", len(o.ClientKeys) > 0},
		{"PushAuthorizationRequests", o.PushAuthorizationRequests},
		{"AssertionAudienceTokenURL", o.AssertionAudienceTokenURL},
		{"RefreshLeeway", o.RefreshLeeway != 0},        // OAuth 1.0a tokens do not expire
		{"ClockSkew", o.ClockSkew != 0},                // for id_tokens
		{"DisableRefreshOn401", o.DisableRefreshOn401}, // nothing to refresh
	} {
		if f.set {
			set = append(set, f.name)
		}
	}
	return set
}

// ctxTransport binds the requests of dghubble/oauth1's Config methods,
// which take no context, to ctx.
type ctxTransport struct {
	ctx  context.Context
	base http.RoundTripper
}

func (t ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.base.RoundTrip(req.WithContext(t.ctx))
}

// config returns the dghubble/oauth1 config for one call to the provider:
// its requests are bound to ctx and their answer is captured in ct.
func (p *oauth1Protocol) config(ctx context.Context, callback string, ct *captureTransport) *oauth1.Config {
	base := p.client.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	ct.base = ctxTransport{ctx: ctx, base: base}
	return &oauth1.Config{
		ConsumerKey: p.cfg.ConsumerKey, ConsumerSecret: p.cfg.ConsumerSecret,
		CallbackURL: callback,
		Endpoint: oauth1.Endpoint{RequestTokenURL: p.cfg.RequestTokenURL,
			AuthorizeURL: p.cfg.AuthorizeURL, AccessTokenURL: p.cfg.AccessTokenURL},
		HTTPClient: &http.Client{Transport: ct, Timeout: p.timeout, CheckRedirect: p.client.CheckRedirect},
	}
}

// form decodes a captured OAuth 1.0a answer, which is form-encoded whatever
// its Content-Type says (RFC 5849 §2.1; Twitter labels it text/html).
func (t *captureTransport) form() url.Values {
	v, _ := url.ParseQuery(strings.TrimSpace(string(t.body)))
	return v
}

// callbackConfirmed reports whether a request token answer confirmed the
// callback (RFC 5849 §2.1). The RFC spells the value "true"; Authlib's
// server sends "True", which confirms it as plainly, so case is ignored. A
// server that ignored the callback (OAuth 1.0) sends no such parameter.
func callbackConfirmed(form url.Values) bool {
	return strings.EqualFold(form.Get("oauth_callback_confirmed"), "true")
}

// confirmedAnyCase returns the request token of a captured answer that
// dghubble/oauth1 refused only because its oauth_callback_confirmed was
// "true" in another case, and whether that is so.
func (t *captureTransport) confirmedAnyCase() (token, secret string, ok bool) {
	if t.big || (t.status != http.StatusOK && t.status != http.StatusCreated) {
		return "", "", false
	}
	form := t.form()
	token, secret = form.Get("oauth_token"), form.Get("oauth_token_secret")
	if token == "" || secret == "" || form.Get("oauth_callback_confirmed") == "true" || !callbackConfirmed(form) {
		return "", "", false
	}
	return token, secret, true
}

// providerError turns a failed request token or access token call into a
// *ProviderError that says what was wrong without echoing the body.
func (p *oauth1Protocol) providerError(op string, ct *captureTransport, err error) error {
	pe := &ProviderError{Provider: p.name, Op: op, StatusCode: ct.status, Err: err}
	form := ct.form()
	switch {
	case ct.status == 0:
		// no answer: err is the transport's (timeout, refused connection)
	case ct.big:
		pe.Err = fmt.Errorf("%w: larger than %d bytes", ErrBadTokenResponse, maxTokenResponse)
	case ct.status != http.StatusOK && ct.status != http.StatusCreated:
		pe.Code = excerpt(form.Get("oauth_problem"), 64) // the OAuth Problem Reporting extension, if used
		pe.Err = errors.New("unexpected answer")
	case form.Get("oauth_token") == "" || form.Get("oauth_token_secret") == "":
		pe.Err = ErrBadTokenResponse
	case op == "request token" && !callbackConfirmed(form):
		pe.Err = ErrCallbackNotConfirmed
	default:
		pe.Err = ErrBadTokenResponse
	}
	return pe
}

func (p *oauth1Protocol) begin(c *gin.Context, tx *transaction) (string, error) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), p.timeout)
	defer cancel()
	ct := &captureTransport{}
	cfg := p.config(ctx, tx.Redirect, ct)
	// dghubble/oauth1 signs the request with oauth_callback and checks
	// oauth_callback_confirmed=true (RFC 5849 §2.1).
	token, secret, err := cfg.RequestToken()
	if err != nil {
		var ok bool
		if token, secret, ok = ct.confirmedAnyCase(); !ok {
			return "", p.providerError("request token", ct, err)
		}
	}
	u, err := cfg.AuthorizationURL(token)
	if err != nil {
		return "", err
	}
	tx.Key = hashKey(token)
	tx.Secret = secret
	return u.String(), nil
}

// callbackState is the callback's oauth_token; a denial (Twitter's
// ?denied=<request token>) is found by the token it names.
func (p *oauth1Protocol) callbackState(c *gin.Context) string {
	if t := c.Query("oauth_token"); t != "" {
		return t
	}
	return c.Query("denied")
}

// untiedError reports a callback with error=access_denied and neither
// oauth_token nor denied=, as Authlib's OAuth 1.0a server denies (RFC 5849
// defines no denial), as the *AuthError of a denial. It names no login, so
// none is consumed: the pending one expires with LoginTTL. Since anyone can
// craft such a link, nothing of it is echoed (no error_description), and
// any other error value stays a callback that matches no login
// (ErrStateMismatch).
func (p *oauth1Protocol) untiedError(c *gin.Context) error {
	if c.Query("error") != "access_denied" {
		return nil
	}
	return p.denied()
}

// denied is the *AuthError of a user who did not authorize the application.
func (p *oauth1Protocol) denied() error {
	return &AuthError{Provider: p.name, Code: "access_denied", Description: "the user did not authorize the application"}
}

func (p *oauth1Protocol) complete(c *gin.Context, tx *transaction) (*Token, error) {
	q := c.Request.URL.Query()
	if q.Get("denied") != "" {
		return nil, p.denied()
	}
	requestToken, verifier := q.Get("oauth_token"), q.Get("oauth_verifier")
	if verifier == "" {
		return nil, ErrMissingVerifier
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), p.timeout)
	defer cancel()
	ct := &captureTransport{}
	access, secret, err := p.config(ctx, "", ct).AccessToken(requestToken, tx.Secret, verifier)
	if err != nil {
		return nil, p.providerError("exchange", ct, err)
	}
	tok := &Token{AccessToken: access, TokenSecret: secret}
	for k, v := range ct.form() {
		if tokenResponseFields[k] || len(v) == 0 {
			continue
		}
		if tok.Extra == nil {
			tok.Extra = make(map[string]any)
		}
		tok.Extra[k] = v[0] // e.g. Twitter's user_id and screen_name
	}
	return tok, nil
}

// refresh: OAuth 1.0a token credentials do not expire and cannot be
// refreshed.
func (p *oauth1Protocol) refresh(context.Context, *Token) (*Token, error) { return nil, nil }

// errSigned stops the signing round trip of sign before anything is sent.
var errSigned = errors.New("signed")

// signCapture is the base transport of sign's throwaway dghubble/oauth1
// client: it keeps the signed request instead of sending it.
type signCapture struct{ req *http.Request }

func (s *signCapture) RoundTrip(req *http.Request) (*http.Response, error) {
	s.req = req
	return nil, errSigned
}

// sign adds the OAuth 1.0a Authorization header (RFC 5849 §3.5.1) for the
// user's token credentials, computed by dghubble/oauth1 over the method,
// URL, query and form body (HMAC-SHA1). The request is then sent by the
// blueprint's guarded client.
func (p *oauth1Protocol) sign(req *http.Request, tok *Token) error {
	capture := &signCapture{}
	ctx := context.WithValue(req.Context(), oauth1.HTTPClient, &http.Client{Transport: capture})
	cfg := &oauth1.Config{ConsumerKey: p.cfg.ConsumerKey, ConsumerSecret: p.cfg.ConsumerSecret}
	hc := oauth1.NewClient(ctx, cfg, oauth1.NewToken(tok.AccessToken, tok.TokenSecret))
	if _, err := hc.Transport.RoundTrip(req); !errors.Is(err, errSigned) || capture.req == nil {
		if err == nil {
			err = errors.New("gindance: OAuth 1.0a signing produced no request")
		}
		return err
	}
	req.Header.Set("Authorization", capture.req.Header.Get("Authorization"))
	req.Body = capture.req.Body // the signer read a form body and replaced it
	return nil
}

// revoke does nothing: OAuth 1.0a has no standard revocation endpoint.
func (p *oauth1Protocol) revoke(context.Context, *Token) error { return nil }
