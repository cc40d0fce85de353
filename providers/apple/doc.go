// Package apple is the Sign in with Apple preset: OpenID Connect on
// https://appleid.apple.com through providers/oidc, so the id_token is
// verified (signature, iss, aud, exp, nonce) and its Claims method works.
//
// Apple's quirks, each handled here and pinned by a test:
//
//   - response_mode=form_post is required when scopes (name, email) are
//     asked: the blueprint asks for it and serves POST
//     /login/apple/authorized (see the repository's docs/oidc.md, form_post, for
//     the cross-site cookie question).
//   - There is no static client secret: the client secret is a JWT signed
//     ES256 with the team's Sign in with Apple key (kid the key ID, iss the
//     team ID, sub the client ID, aud https://appleid.apple.com), which the
//     preset signs with go-jose, keeps, and signs again before it expires.
//     It is sent in the token request's body (client_secret_post).
//   - The user's name arrives only once, at the first authorization, in the
//     form's user field (JSON, unsigned). The preset puts it in the token
//     before the app's OnLogin hooks run: apple.UserOf(tok) there returns
//     it; keep it, Apple will not send it again. Identity.Name has it for
//     that login's token.
//   - email_verified and is_private_email come as bools or as the strings
//     "true"/"false"; Identity.EmailVerified and PrivateEmail read both.
//
// Provider-side setup (Apple Developer account, Certificates, Identifiers &
// Profiles): enable Sign in with Apple on the App ID; create a Services ID
// (the ClientID, e.g. com.example.web), enable Sign in with Apple on it and
// configure its domain and the return URL
// https://<your host>/login/apple/authorized (https only); create a key
// with Sign in with Apple enabled and download AuthKey_<KeyID>.p8 (once).
// Then set APPLE_CLIENT_ID (the Services ID), APPLE_TEAM_ID, APPLE_KEY_ID
// and APPLE_PRIVATE_KEY (the .p8 file's contents):
//
//	a := apple.New(apple.Config{})
//	a.OnLogin(func(c *gin.Context, tok *blueprint.Token) error {
//		if u, ok := apple.UserOf(tok); ok {
//			// first login: save u.FirstName, u.LastName
//		}
//		return nil
//	})
//	a.Mount(r.Group("/login"))
//
// Issuer and DiscoveryURL are overridable, for tests against
// gintest.OIDCProvider.
package apple
