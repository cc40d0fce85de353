package blueprint

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// SessionForgetter is implemented by server-side storages that can find
// and forget tokens by the OpenID Connect session they were issued in, for
// Back-Channel Logout 1.0: ForgetSession deletes every token stored for the
// blueprint name whose id_token names issuer and sid (or, when sid is
// empty, issuer and sub), and reports how many. storage.Store implements
// it for every built-in backend. The session default (SessionStorage)
// cannot: a browser's session is reachable only from that browser's
// requests.
type SessionForgetter interface {
	ForgetSession(ctx context.Context, name, issuer, sid, sub string) (int, error)
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
