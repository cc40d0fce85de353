package blueprint

import "context"

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
