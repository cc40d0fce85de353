// Package okta is the Okta preset: OpenID Connect against an Okta
// authorization server through providers/oidc, so the id_token is verified
// and its Claims method works.
//
// By default the login goes to the org's "default" custom authorization
// server (issuer https://<Domain>/oauth2/default); AuthorizationServer
// names another one, and OrgAuthorizationServer selects the org
// authorization server (issuer https://<Domain>), whose access tokens only
// Okta's own APIs accept. Offline adds offline_access for a refresh token.
//
// In the Okta Admin Console, create an app integration (Applications,
// Create App Integration): OIDC - OpenID Connect, Web Application, grant
// types Authorization Code (and Refresh Token for Offline), with the
// sign-in redirect URI https://<your host>/login/okta/authorized, and
// assign the users or groups that may sign in. Then:
//
//	o := okta.New(okta.Config{Domain: "dev-123456.okta.com"}) // OKTA_CLIENT_ID, OKTA_CLIENT_SECRET
//	o.Mount(r.Group("/login"))
//
// Identity merges the userinfo answer over the id_token claims: an Okta
// id_token issued next to an access token may leave profile claims out.
// Okta's discovery names its revocation endpoint, so Logout revokes the
// refresh (or access) token.
package okta
