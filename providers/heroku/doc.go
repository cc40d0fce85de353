// Package heroku is the Heroku preset: OAuth 2.0 against id.heroku.com
// with the client secret in the token request body, the Platform API's
// version 3 media type on API calls, and an identity from /account.
//
// Register an API client at https://dashboard.heroku.com/account/applications
// (OAuth Applications, Register new API client) with the OAuth callback URL
// https://<your host>/login/heroku/authorized:
//
//	hk := heroku.New(heroku.Config{}) // HEROKU_CLIENT_ID, HEROKU_CLIENT_SECRET
//	hk.Mount(r.Group("/login"))
//
// The default scope is "identity" (read the account, nothing else); ask
// for "read", "write" or "global" for more. Access tokens last eight hours
// and are refreshed. Heroku does not say whether the account's address was
// verified, so Identity reports it with EmailVerified false. Logout does
// not revoke: Heroku revokes by deleting the OAuth authorization (DELETE
// /oauth/authorizations/{id}), not through RFC 7009.
package heroku
