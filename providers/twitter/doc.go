// Package twitter is the Twitter preset: OAuth 1.0a ("Sign in with
// Twitter": request token, authenticate, access token) through
// blueprint.NewOAuth1, the v1.1 API at https://api.twitter.com/1.1/, and an
// identity from account/verify_credentials.json.
//
// In the developer portal, enable OAuth 1.0a for the app with the callback
// URL https://<your host>/login/twitter/authorized, then:
//
//	tw := twitter.New(twitter.Config{}) // TWITTER_CLIENT_ID, TWITTER_CLIENT_SECRET (API key and secret)
//	tw.Mount(r.Group("/login"))
//	r.GET("/", tw.Require(), func(c *gin.Context) {
//		id, err := tw.Identity(c)
//		...
//	})
//
// Every endpoint is overridable for tests against gintest.OAuth1Provider.
//
// # OAuth 2.0 (X API v2)
//
// NewOAuth2 is the same provider over OAuth 2.0 with PKCE: authorization
// at https://x.com/i/oauth2/authorize, tokens at
// https://api.x.com/2/oauth2/token, the v2 API at https://api.x.com/2/, an
// identity from users/me, a refresh token through the offline.access
// scope, and revocation on Logout. In the developer portal, set up "User
// authentication" with OAuth 2.0, the app type (a web app is a
// confidential client; a native or single-page app is a public one), and
// the callback URI https://<your host>/login/twitter/authorized. Its OAuth
// 2.0 Client ID and Client Secret are not the OAuth 1.0a API key and
// secret, so they are read from TWITTER_OAUTH2_CLIENT_ID and
// TWITTER_OAUTH2_CLIENT_SECRET:
//
//	x := twitter.NewOAuth2(twitter.OAuth2Config{}) // confidential: HTTP Basic client auth
//	x := twitter.NewOAuth2(twitter.OAuth2Config{   // public: client_id in the body, PKCE alone
//		PublicClient: true,
//		Options:      blueprint.Options{LoginCookieKey: loginKey}, // no secret to derive the pending-login key from
//	})
//
// X shares the email address only with the users.email scope and an app
// that was granted it; Identity then reports X's confirmed_email as
// verified.
package twitter
