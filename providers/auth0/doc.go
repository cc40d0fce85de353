// Package auth0 is the Auth0 preset: OpenID Connect against an Auth0
// tenant through providers/oidc, so the id_token is verified and
// its Claims method works.
//
// The issuer is https://<Domain>/ with the trailing slash Auth0 puts in
// its id_tokens. Audience asks for an access token for one of the tenant's
// APIs, Organization logs in to an Auth0 Organization and enforces the
// org_id claim (sending organization only preselects), and Offline adds
// offline_access for a refresh token.
//
// In the Auth0 Dashboard, create an application (Applications, Create
// Application) of type Regular Web Application; on its Settings tab note
// the Domain, Client ID and Client Secret, and add
// https://<your host>/login/auth0/authorized to Allowed Callback URLs.
// Then:
//
//	a := auth0.New(auth0.Config{Domain: "acme.eu.auth0.com"}) // AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET
//	a.Mount(r.Group("/login"))
//
// Identity maps the claims with nickname as the username. Auth0's
// discovery names /oauth/revoke, which revokes refresh tokens: Logout
// revokes the refresh token when there is one.
package auth0
