package blueprint

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Token is what a blueprint keeps for a logged-in user: the provider's token
// response, normalised. It is stored by the Storage (the session by default)
// and handed to OnLogin and token setters.
type Token struct {
	AccessToken  string         `json:"access_token"`
	TokenType    string         `json:"token_type,omitempty"`
	RefreshToken string         `json:"refresh_token,omitempty"`
	Expiry       time.Time      `json:"expiry,omitzero"`        // zero: does not expire
	TokenSecret  string         `json:"token_secret,omitempty"` // OAuth 1.0a token secret
	IDToken      string         `json:"id_token,omitempty"`     // OpenID Connect, raw
	Scopes       []string       `json:"scopes,omitempty"`       // as granted
	Extra        map[string]any `json:"extra,omitempty"`        // every other field of the token response

	// DPoPKey is the private key (a JWK) a DPoP-bound token (TokenType
	// "DPoP", RFC 9449) is bound to. It is stored with the token, sealed
	// with it when the Storage has a Sealer, and as secret as the refresh
	// token: whoever has both can use them. Without it such a token is
	// unusable (ErrDPoPKey).
	DPoPKey string `json:"dpop_key,omitempty"`
}

// tokenResponseFields are the token response members Token has fields for;
// everything else lands in Extra.
var tokenResponseFields = map[string]bool{
	"access_token": true, "token_type": true, "refresh_token": true,
	"expires_in": true, "scope": true, "id_token": true,
	"oauth_token": true, "oauth_token_secret": true,
}

// Expired reports whether the token expires before now plus leeway. A token
// without an expiry never expires.
func (t *Token) Expired(now time.Time, leeway time.Duration) bool {
	return !t.Expiry.IsZero() && !now.Add(leeway).Before(t.Expiry)
}

// authorizationType is the scheme for the Authorization header: the token
// type as the provider spelt it, with "bearer" in any case normalised to
// "Bearer" (RFC 6750 §2.1).
func (t *Token) authorizationType() string {
	if t.TokenType == "" || strings.EqualFold(t.TokenType, "bearer") {
		return "Bearer"
	}
	return t.TokenType
}

// Clone returns a copy of t that shares nothing mutable with it: Scopes
// and Extra are copied, and so are the objects and arrays nested in Extra
// (map[string]any and []any, what decoding JSON yields); other values in
// Extra are copied as they are. Storage that keeps tokens in memory hands
// out clones, so that a handler changing its token changes nothing stored.
func (t *Token) Clone() *Token {
	if t == nil {
		return nil
	}
	c := *t
	if t.Scopes != nil {
		c.Scopes = append([]string(nil), t.Scopes...)
	}
	if t.Extra != nil {
		c.Extra = cloneJSONObject(t.Extra)
	}
	return &c
}

func cloneJSONObject(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = cloneJSONValue(v)
	}
	return c
}

func cloneJSONValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneJSONObject(v)
	case []any:
		c := make([]any, len(v))
		for i, x := range v {
			c[i] = cloneJSONValue(x)
		}
		return c
	}
	return v
}

// MarshalToken encodes a token for storage. Storage backends use it so that
// every backend stores the same, versionable form.
func MarshalToken(t *Token) ([]byte, error) { return json.Marshal(t) }

// UnmarshalToken decodes a token written by MarshalToken. A value that does
// not decode, or decodes to a token without an access token, is an error
// wrapping ErrCorruptToken, never a half-filled token.
func UnmarshalToken(b []byte) (*Token, error) {
	var t Token
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, &corruptTokenError{err: err}
	}
	if t.AccessToken == "" {
		return nil, &corruptTokenError{}
	}
	return &t, nil
}

// fromOAuth2 converts an x/oauth2 token plus the raw token response (which
// x/oauth2 does not expose whole) into a Token; sep is what separates the
// response's scopes ("": a space).
func fromOAuth2(ot *oauth2.Token, raw map[string]any, requested []string, sep string) *Token {
	t := &Token{
		AccessToken:  ot.AccessToken,
		TokenType:    ot.TokenType,
		RefreshToken: ot.RefreshToken,
		Expiry:       ot.Expiry,
	}
	if s, ok := ot.Extra("id_token").(string); ok {
		t.IDToken = s
	}
	// RFC 6749 §5.1: scope is optional when it equals what was requested.
	if granted := grantedScopes(raw["scope"], sep); granted != nil {
		t.Scopes = granted
	} else if len(requested) > 0 {
		t.Scopes = append([]string(nil), requested...)
	}
	for k, v := range raw {
		if tokenResponseFields[k] {
			continue
		}
		if t.Extra == nil {
			t.Extra = make(map[string]any)
		}
		t.Extra[k] = v
	}
	return t
}

// grantedScopes reads a token response's scope: RFC 6749's space-separated
// string (or separated by sep), or the JSON array of strings some
// providers send (Twitch); nil when it is absent, empty or neither, and
// the requested scopes then stand (an empty scope is read as absent, not
// as nothing granted).
func grantedScopes(v any, sep string) []string {
	switch v := v.(type) {
	case string:
		if f := splitScopes(v, sep); len(f) > 0 {
			return f
		}
	case []any:
		scopes := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil
			}
			scopes = append(scopes, strings.Fields(s)...)
		}
		if len(scopes) > 0 {
			return scopes
		}
	}
	return nil
}

// splitScopes splits a scope list on sep (with the spaces around each
// scope dropped), or on spaces when sep is "".
func splitScopes(s, sep string) []string {
	if sep == "" {
		return strings.Fields(s)
	}
	var scopes []string
	for part := range strings.SplitSeq(s, sep) {
		scopes = append(scopes, strings.Fields(part)...)
	}
	return scopes
}

// toOAuth2 converts a Token for use with x/oauth2.
func (t *Token) toOAuth2() *oauth2.Token {
	return &oauth2.Token{
		AccessToken:  t.AccessToken,
		TokenType:    t.TokenType,
		RefreshToken: t.RefreshToken,
		Expiry:       t.Expiry,
	}
}

// IDTokenSession returns the iss, sub and sid claims of the token's
// id_token, "" for those it lacks. The id_token is decoded, not verified:
// it was verified when the token was obtained. Storages index tokens by
// these, so that a back-channel logout finds them.
func (t *Token) IDTokenSession() (iss, sub, sid string) {
	if t == nil || t.IDToken == "" {
		return "", "", ""
	}
	parts := strings.Split(t.IDToken, ".")
	if len(parts) != 3 {
		return "", "", ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", "", ""
	}
	var c struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Sid string `json:"sid"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return "", "", ""
	}
	return c.Iss, c.Sub, c.Sid
}

// Token returns the token the client signs with, as Blueprint.Token does
// for the client's request: identity functions use it to see the granted
// scopes.
func (cl *Client) Token() (*Token, error) { return cl.b.Token(cl.c) }
