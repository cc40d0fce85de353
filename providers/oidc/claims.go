package oidc

import (
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

// claimsKey is the per-request memo of Claims in gin.Context.
type claimsKey struct{ p *provider }

// Claims returns the verified id_token claims of the blueprint's
// logged-in user. It fails with blueprint.ErrNotAuthorized when nobody is logged in.
//
// These are the id_token's claims only. Which profile claims (email, name,
// picture, ...) an id_token carries is the provider's choice: when it also
// issues an access token, the claims that the profile and email scopes ask
// for are returned from the userinfo endpoint (OpenID Connect Core §5.4),
// and many providers leave them out of the id_token. For them set
// Config.UserInfo: true and call b.Identity(c), which merges the userinfo
// answer (its sub checked against the id_token's) over these claims.
//
// The stored id_token is verified again on each request that asks (the
// result is remembered for the rest of the request): signature with the
// cached key set, iss, aud, sub, iat, azp and CheckClaims, but not exp,
// since an id_token asserts a past authentication and usually expires long
// before the session; its expiry was checked at login. A token signed by a
// key the provider has since withdrawn therefore no longer yields claims:
// the user must log in again.
func (b *Blueprint) Claims(c *gin.Context) (map[string]any, error) { return b.p.claims(c) }

// claims is Claims.
func (p *provider) claims(c *gin.Context) (map[string]any, error) {
	if v, ok := c.Get(claimsKey{p}); ok {
		return v.(map[string]any), nil
	}
	tok, err := p.b.Token(c)
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, blueprint.ErrNotAuthorized
	}
	if tok.IDToken == "" {
		return nil, p.wrap(ErrNoIDToken)
	}
	v, err := p.verify(c.Request.Context(), tok.IDToken, true)
	if err != nil {
		return nil, p.wrap(err)
	}
	c.Set(claimsKey{p}, v.claims)
	return v.claims, nil
}

// identity is the blueprint's identity function: the verified claims,
// with the userinfo answer merged over them when Config.UserInfo is set
// (its sub checked against the id_token's).
func (p *provider) identity(c *gin.Context, _ *blueprint.Client) (*blueprint.Identity, error) {
	b := p.b
	claims, err := p.claims(c)
	if err != nil {
		return nil, err
	}
	raw := make(map[string]any, len(claims))
	for k, v := range claims {
		raw[k] = v
	}
	if p.cfg.UserInfo {
		tok, err := b.Token(c)
		if err != nil || tok == nil {
			return nil, blueprint.ErrNotAuthorized
		}
		ui, err := p.userInfo(c.Request.Context(), tok, str(claims, "iss"), str(claims, "sub"))
		if err != nil {
			return nil, p.wrap(err)
		}
		for k, v := range ui {
			switch k {
			case "sub", "iss", "aud", "exp", "iat", "nonce", "azp":
			default:
				raw[k] = v
			}
		}
	}
	if p.cfg.IdentityFromClaims != nil {
		return p.cfg.IdentityFromClaims(raw), nil
	}
	return IdentityFromClaims(raw), nil
}

// IdentityFromClaims maps standard OpenID Connect claims (Core §5.1) to a
// blueprint.Identity: sub, preferred_username (else email), name, email,
// email_verified and picture. Raw is claims itself.
func IdentityFromClaims(claims map[string]any) *blueprint.Identity {
	id := &blueprint.Identity{
		ID: str(claims, "sub"), Username: str(claims, "preferred_username"), Name: str(claims, "name"),
		Email: str(claims, "email"), AvatarURL: str(claims, "picture"), Raw: claims,
	}
	if id.Username == "" {
		id.Username = id.Email
	}
	switch v := claims["email_verified"].(type) {
	case bool:
		id.EmailVerified = v
	case string: // some providers send "true"
		id.EmailVerified = v == "true"
	}
	return id
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}
