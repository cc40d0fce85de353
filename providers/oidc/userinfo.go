package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/gindance/gindance/blueprint"
)

// maxUserInfo bounds what is read of a userinfo answer, as a token
// response is bounded; maxUserInfoError bounds what is read of an error
// answer, of which only the OAuth error code is kept.
const (
	maxUserInfo      = 1 << 20
	maxUserInfoError = 4 << 10
)

// userInfo fetches the userinfo endpoint with tok's access token (OpenID
// Connect Core §5.3) within ProviderTimeout, reading at most 1 MiB, and
// checks that it is about sub (§5.3.4). A signed answer is verified with
// the provider's key set, the one id_tokens are verified with, and its iss
// and aud, when present, must be iss and this client. A failure reports
// the status and the OAuth error code only: never the body, which a
// misbehaving server may fill with anything, the request's token included.
func (p *provider) userInfo(ctx context.Context, tok *blueprint.Token, iss, sub string) (map[string]any, error) {
	d, err := p.discovered(ctx)
	if err != nil {
		return nil, err
	}
	fail := func(status int, code string, err error) error {
		return &blueprint.ProviderError{Provider: p.name, Op: "userinfo", StatusCode: status, Code: code, Err: err}
	}
	if d.meta.UserInfoURL == "" {
		return nil, fail(0, "", errors.New("the provider's discovery document has no userinfo_endpoint"))
	}
	ctx, cancel := context.WithTimeout(ctx, p.disc.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.meta.UserInfoURL, nil)
	if err != nil {
		return nil, fail(0, "", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json, application/jwt")
	resp, err := p.hc.Do(req)
	if err != nil {
		return nil, fail(0, "", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxUserInfoError))
		return nil, fail(resp.StatusCode, userInfoErrorCode(resp.Header, body), errors.New("unexpected answer from the userinfo endpoint"))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxUserInfo+1))
	switch {
	case err != nil:
		return nil, fail(resp.StatusCode, "", err)
	case len(body) > maxUserInfo:
		return nil, fail(resp.StatusCode, "", fmt.Errorf("%w: larger than %d bytes", ErrUserInfo, maxUserInfo))
	}
	signed := false
	if media, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil && media == "application/jwt" {
		if body, err = d.keys.VerifySignature(ctx, strings.TrimSpace(string(body))); err != nil {
			return nil, fail(resp.StatusCode, "", fmt.Errorf("%w: the signed answer does not verify: %w", ErrUserInfo, err))
		}
		signed = true
	}
	claims := map[string]any{}
	if err := json.Unmarshal(body, &claims); err != nil {
		return nil, fail(resp.StatusCode, "", fmt.Errorf("%w: not a JSON object", ErrUserInfo))
	}
	if signed {
		if err := p.checkSignedUserInfo(claims, iss); err != nil {
			return nil, fail(resp.StatusCode, "", err)
		}
	}
	if s, _ := claims["sub"].(string); s != sub {
		return nil, ErrUserInfoSubject
	}
	return claims, nil
}

// checkSignedUserInfo checks a signed userinfo answer's iss and aud, which
// OpenID Connect Core §5.3.2 says it should carry: when present, iss must be
// the id_token's issuer and aud must name this client, so that an answer
// signed for another client, or by another issuer sharing keys, is refused.
func (p *provider) checkSignedUserInfo(claims map[string]any, iss string) error {
	if v, ok := claims["iss"]; ok && v != iss {
		return fmt.Errorf("%w: iss is not the id_token's issuer", ErrUserInfo)
	}
	switch aud := claims["aud"].(type) {
	case nil:
	case string:
		if aud != p.cfg.ClientID {
			return fmt.Errorf("%w: aud is another client", ErrUserInfo)
		}
	case []any:
		if !slices.Contains(aud, any(p.cfg.ClientID)) {
			return fmt.Errorf("%w: aud is another client", ErrUserInfo)
		}
	default:
		return fmt.Errorf("%w: aud is neither a string nor a list", ErrUserInfo)
	}
	return nil
}

// userInfoErrorCode is the OAuth error code of a failed userinfo call: the
// error attribute of the Bearer challenge (RFC 6750 §3, which OpenID
// Connect Core §5.3.3 refers to), else the body's JSON error member. Only a
// code of letters a-z and '_' is kept, as every registered one is; anything
// else, which could carry whatever the server echoed, is left out.
func userInfoErrorCode(h http.Header, body []byte) string {
	code, _ := blueprint.ChallengeParam(h, "Bearer", "error")
	if code == "" {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil {
			code = e.Error
		}
	}
	if len(code) > 64 || strings.Trim(code, "abcdefghijklmnopqrstuvwxyz_") != "" {
		return ""
	}
	return code
}
