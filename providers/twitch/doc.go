// Package twitch is the Twitch preset: OpenID Connect against
// https://id.twitch.tv/oauth2 through providers/oidc, so the id_token is
// verified and its Claims method works, and an API client for the Helix API.
//
// Register the app in the Twitch Developer Console (Applications, Register
// Your Application), category as fits, client type Confidential, with the
// OAuth redirect URL https://<your host>/login/twitch/authorized, and
// create a client secret. Then:
//
//	tw := twitch.New(twitch.Config{}) // TWITCH_CLIENT_ID, TWITCH_CLIENT_SECRET
//	tw.Mount(r.Group("/login"))
//	r.GET("/", tw.Require(), func(c *gin.Context) {
//		var users struct{ Data []struct{ Login string } }
//		err := tw.Client(c).GetJSON("users", &users) // Helix: Bearer token and Client-Id
//		...
//	})
//
// Twitch's quirks, each handled here and pinned by a test:
//
//   - the token endpoint takes client_id and client_secret in the body
//     (client_secret_post);
//   - email, email_verified, picture and preferred_username reach the
//     id_token only when asked for with the claims parameter, which the
//     preset sends, and email needs the user:read:email scope;
//   - the token response's scope is a JSON array, not a string: the
//     blueprint reads it as the granted scopes (Token.Scopes);
//   - every Helix call needs a Client-Id header next to the token: the
//     preset's transport adds it on requests to the API's origin, and to no
//     other host.
//
// Identity's Username and Name are both the display name
// (preferred_username). Twitch access tokens expire after about four hours
// and refresh.
package twitch
