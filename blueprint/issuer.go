package blueprint

import "context"

// issuerMatches reports whether iss, the authorization response's issuer
// (RFC 9207 §2.4), is the one the login went to: want exactly, or, for a
// provider package whose issuer is a template (Endpoints.MatchIssuer), an
// issuer the package accepts.
func issuerMatches(ep Endpoints, want, iss string) bool {
	if ep.MatchIssuer != nil {
		return ep.MatchIssuer(iss)
	}
	return iss == want
}

type responseIssuerKey struct{}

// ResponseIssuer returns the iss parameter of the authorization response
// (RFC 9207) whose code is being exchanged, for OAuth2Hooks.VerifyLogin:
// "" when the response had none or outside a callback. providers/oidc binds
// it to the id_token's iss, which matters when the issuer is a template.
func ResponseIssuer(ctx context.Context) string {
	iss, _ := ctx.Value(responseIssuerKey{}).(string)
	return iss
}
