// Package discord is the Discord preset: OAuth 2.0 with PKCE, the
// authorization response's iss checked (RFC 9207; Discord advertises
// authorization_response_iss_parameter_supported), an identity from
// /users/@me, and revocation on Logout.
//
// Create an application at https://discord.com/developers/applications;
// under OAuth2, add the redirect https://<your host>/login/discord/authorized
// and copy the Client ID and Client Secret:
//
//	dc := discord.New(discord.Config{}) // DISCORD_CLIENT_ID, DISCORD_CLIENT_SECRET
//	dc.Mount(r.Group("/login"))
//
// The default scopes are "identify" and "email"; Identity reports the
// email verified only when Discord's verified flag says so.
package discord
