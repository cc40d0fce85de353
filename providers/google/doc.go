// Package google is the Google preset: OpenID Connect on
// https://accounts.google.com through providers/oidc, so the id_token is
// verified (signature, iss, aud, exp, nonce) and its Claims method works.
//
// Options: Offline (access_type=offline with prompt=consent, for a refresh
// token), SelectAccount (prompt=select_account) and HostedDomain, which is
// sent as hd and also enforced on the verified hd claim: hd in the request
// only preselects an account, it proves nothing.
//
// Create an OAuth client ID of type Web application (Google Cloud console,
// APIs & Services, Credentials) with the authorized redirect URI
// https://<your host>/login/google/authorized, then:
//
//	g := google.New(google.Config{HostedDomain: "example.com"}) // GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET
//	g.Mount(r.Group("/login"))
//	r.GET("/", g.Require(), func(c *gin.Context) {
//		claims, err := g.Claims(c)
//		...
//	})
//
// Issuer, DiscoveryURL and APIBaseURL are overridable for tests against
// gintest.OIDCProvider.
package google
