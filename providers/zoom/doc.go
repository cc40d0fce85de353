// Package zoom is the Zoom preset: OAuth 2.0 with PKCE and HTTP Basic
// client authentication, an identity from /v2/users/me, rotating refresh
// tokens, and revocation on Logout.
//
// Create a General App (user-managed) at https://marketplace.zoom.us/
// (Develop, Build App), set the OAuth Redirect URL and add to the OAuth
// allow list https://<your host>/login/zoom/authorized, and add the scopes
// your app needs (user:read:user for Identity):
//
//	zm := zoom.New(zoom.Config{}) // ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET
//	zm.Mount(r.Group("/login"))
//
// Zoom grants the scopes configured on the app; Config.Scopes is empty by
// default and rarely needed.
package zoom
