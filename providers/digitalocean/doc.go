// Package digitalocean is the DigitalOcean preset: OAuth 2.0 with PKCE
// against cloud.digitalocean.com, the client secret in the token request
// body, and an identity from the API's /v2/account plus the user's name
// that the token response carries (info.name).
//
// Register an OAuth application at
// https://cloud.digitalocean.com/account/api/applications with the
// callback URL https://<your host>/login/digitalocean/authorized:
//
//	do := digitalocean.New(digitalocean.Config{}) // DIGITALOCEAN_CLIENT_ID, DIGITALOCEAN_CLIENT_SECRET
//	do.Mount(r.Group("/login"))
//
// The default scope is "read"; "read write" lets the app change resources.
// A token is for the team the user picked on DigitalOcean's consent page.
// Logout does not revoke (DigitalOcean's /v1/oauth/revoke is authorized by
// the token itself, not RFC 7009's client authentication).
package digitalocean
