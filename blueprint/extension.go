package blueprint

// Extension returns the value a provider package attached to an OAuth 2.0
// blueprint with OAuth2Hooks.Extension, or nil (always nil for OAuth 1.0a).
func (b *Blueprint) Extension() any {
	if p, ok := b.proto.(*oauth2Protocol); ok {
		return p.cfg.Protocol.Extension
	}
	return nil
}
