package blueprint

// Extension returns the value a provider package attached to an OAuth 2.0
// blueprint with OAuth2Hooks.Extension, or nil (always nil for OAuth 1.0a).
func (b *Blueprint) Extension() any {
	if p, ok := b.proto.(*oauth2Protocol); ok {
		return p.cfg.Protocol.Extension
	}
	return nil
}

// Token returns the token the client signs with, as Blueprint.Token does
// for the client's request: identity functions use it to see the granted
// scopes.
func (cl *Client) Token() (*Token, error) { return cl.b.Token(cl.c) }
