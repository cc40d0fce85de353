// Package spotify is the Spotify preset: OAuth 2.0 with PKCE and an
// identity from the Web API's /v1/me.
//
// Create an app at https://developer.spotify.com/dashboard, add the
// Redirect URI https://<your host>/login/spotify/authorized, and copy the
// Client ID and Client secret:
//
//	sp := spotify.New(spotify.Config{}) // SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET
//	sp.Mount(r.Group("/login"))
//
// Spotify says the address of /v1/me is unverified, so Identity reports it
// with EmailVerified false. Access tokens last an hour and are refreshed;
// Spotify has no revocation endpoint.
package spotify
