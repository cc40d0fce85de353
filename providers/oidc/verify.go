package oidc

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/gindance/gindance/blueprint"
)

// verified is a verified id_token.
type verified struct {
	tok    *gooidc.IDToken
	claims map[string]any
}

func (p *provider) wrap(err error) error {
	if errors.Is(err, blueprint.ErrConfig) {
		return err
	}
	var pe *blueprint.ProviderError
	if errors.As(err, &pe) {
		return err
	}
	if !errors.Is(err, ErrIDToken) {
		err = fmt.Errorf("%w: %w", ErrIDToken, err)
	}
	return &blueprint.ProviderError{Provider: p.name, Op: "id_token", Err: err}
}

// verify checks raw with go-oidc (signature via the JWKS, alg, iss, aud,
// exp unless skipExpiry) and then the claims OpenID Connect Core §3.1.3.7
// asks for beyond that, and CheckClaims.
func (p *provider) verify(ctx context.Context, raw string, skipExpiry bool) (*verified, error) {
	d, err := p.discovered(ctx)
	if err != nil {
		return nil, err
	}
	skew := p.skew()
	v := gooidc.NewVerifier(p.cfg.Issuer, d.keys, p.verifierConfig(&gooidc.Config{
		ClientID: p.cfg.ClientID, SupportedSigningAlgs: d.algs, SkipExpiryCheck: skipExpiry,
		// exp is checked against a clock skew behind (Options.ClockSkew);
		// go-oidc allows nbf five minutes ahead itself.
		Now: func() time.Time { return p.now().Add(-skew) },
	}))
	t, err := v.Verify(gooidc.ClientContext(ctx, p.hc), raw)
	if err != nil {
		return nil, err
	}
	claims := map[string]any{}
	if err := t.Claims(&claims); err != nil {
		return nil, err
	}
	if err := p.checkTenant(t, claims); err != nil {
		return nil, err
	}
	if t.Subject == "" {
		return nil, fmt.Errorf("%w: sub", ErrMissingClaim)
	}
	if _, ok := claims["iat"]; !ok || t.IssuedAt.IsZero() {
		return nil, fmt.Errorf("%w: iat", ErrMissingClaim)
	}
	if t.IssuedAt.After(p.now().Add(skew)) {
		return nil, ErrIssuedInFuture
	}
	azp, hasAZP := claims["azp"].(string)
	if (len(t.Audience) > 1 && !hasAZP) || (hasAZP && azp != p.cfg.ClientID) {
		return nil, ErrAuthorizedParty
	}
	if p.cfg.CheckClaims != nil {
		if err := p.cfg.CheckClaims(claims); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrIDToken, err)
		}
	}
	return &verified{tok: t, claims: claims}, nil
}

// verifyLogin is the OAuth2Hooks.VerifyLogin hook.
func (p *provider) verifyLogin(ctx context.Context, tok *blueprint.Token, nonce string) error {
	if tok.IDToken == "" {
		return p.wrap(ErrNoIDToken)
	}
	v, err := p.verify(ctx, tok.IDToken, false)
	if err != nil {
		return p.wrap(err)
	}
	if missing := v.tok.Nonce == "" && p.cfg.InsecureAllowMissingNonce; !missing &&
		(nonce == "" || subtle.ConstantTimeCompare([]byte(v.tok.Nonce), []byte(nonce)) != 1) {
		return p.wrap(ErrNonce)
	}
	if err := p.checkAuthContext(v.claims, p.now()); err != nil {
		return p.wrap(err)
	}
	if err := checkResponseIssuer(ctx, v.tok.Issuer); err != nil {
		return p.wrap(err)
	}
	if v.tok.AccessTokenHash != "" { // §3.1.3.8: optional in the code flow, checked when present
		if err := v.tok.VerifyAccessToken(tok.AccessToken); err != nil {
			return p.wrap(err)
		}
	}
	if p.cfg.UserInfo {
		if _, err := p.userInfo(ctx, tok, v.tok.Issuer, v.tok.Subject); err != nil {
			return p.wrap(err)
		}
	}
	return nil
}

// verifyRefresh is the OAuth2Hooks.VerifyRefresh hook: a new id_token must
// verify and keep the original iss, sub and aud (OpenID Connect Core
// §12.2); a nonce, if it has one, must be the original's.
func (p *provider) verifyRefresh(ctx context.Context, old, refreshed *blueprint.Token) error {
	if refreshed.IDToken == "" || refreshed.IDToken == old.IDToken {
		return nil
	}
	v, err := p.verify(ctx, refreshed.IDToken, false)
	if err != nil {
		return p.wrap(err)
	}
	// The original was verified at login and comes from the app's own
	// storage; it is decoded, not verified again, so that a key rotated
	// away since does not end the session.
	orig, err := unverifiedClaims(old.IDToken)
	if err != nil {
		return p.wrap(fmt.Errorf("%w: the stored id_token: %w", ErrRefreshSubject, err))
	}
	if orig.Issuer != v.tok.Issuer || orig.Subject != v.tok.Subject || !sameSet(orig.Audience, v.tok.Audience) {
		return p.wrap(ErrRefreshSubject)
	}
	if v.tok.Nonce != "" && v.tok.Nonce != orig.Nonce {
		return p.wrap(ErrNonce)
	}
	return nil
}

// idClaims are the registered claims compared across a refresh.
type idClaims struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Audience audience `json:"aud"`
	Nonce    string   `json:"nonce"`
}

type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*a = audience{s}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(a))
}

func unverifiedClaims(raw string) (*idClaims, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var c idClaims
	return &c, json.Unmarshal(payload, &c)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// now is the blueprint's clock (Options.Now), which id_token and logout
// token times are checked against, like every other expiry decision.
func (p *provider) now() time.Time {
	if p.cfg.Now != nil {
		return p.cfg.Now()
	}
	return time.Now()
}

// skew is the clock skew allowance Options.ClockSkew asks for.
func (p *provider) skew() time.Duration {
	switch {
	case p.cfg.ClockSkew < 0:
		return 0
	case p.cfg.ClockSkew == 0:
		return blueprint.DefaultClockSkew
	}
	return p.cfg.ClockSkew
}
