package gintest

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// BackChannelLogoutEvent is the events member that makes a JWT a logout
// token (OpenID Connect Back-Channel Logout 1.0 §2.4).
const BackChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// SessionIDs returns the sid of every login so far, oldest first: each
// authorization starts a session at the provider, whose sid its id_tokens
// carry.
func (p *OIDCProvider) SessionIDs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.sids...)
}

// LogoutToken returns a logout token (Back-Channel Logout 1.0 §2.4) for
// the provider's user and the session sid, signed like the id_tokens with
// typ logout+jwt: iss, aud, iat, exp (two minutes), a fresh jti, events,
// sub and sid ("" leaves sid out, which logs out every session of sub).
// edit, when given, may change the claims first (a nil value removes a
// claim), for negative tests.
func (p *OIDCProvider) LogoutToken(sid string, edit func(claims map[string]any)) string {
	now := p.opts.Now()
	c := map[string]any{"iss": p.Issuer(), "aud": p.opts.ClientID, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
		"jti": newSecret(""), "events": map[string]any{BackChannelLogoutEvent: map[string]any{}}, "sub": p.opts.User.ID}
	if sid != "" {
		c["sid"] = sid
	}
	if edit != nil {
		edit(c)
	}
	maps.DeleteFunc(c, func(_ string, v any) bool { return v == nil })
	payload, _ := json.Marshal(c)
	p.mu.Lock()
	key := p.rsaKey
	p.mu.Unlock()
	return mustSignTyped(jose.SigningKey{Algorithm: jose.RS256, Key: key}, payload, "logout+jwt")
}

// BackChannelLogout posts logoutToken to the relying party's
// backchannel_logout_uri as the provider would (§2.5) and returns the
// answer's status.
func (p *OIDCProvider) BackChannelLogout(ctx context.Context, uri, logoutToken string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, strings.NewReader(url.Values{"logout_token": {logoutToken}}.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
