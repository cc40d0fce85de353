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
package twitter
