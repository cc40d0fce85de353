// Package github is the GitHub preset: OAuth 2.0 against github.com or a
// GitHub Enterprise Server (Config.Host), the API at https://api.github.com/,
// and an identity from /user plus the primary verified address of
// /user/emails when the user:email scope was granted. GitHub's token
// response joins the granted scopes with commas; Token.Scopes holds them
// apart.
//
// Register an OAuth app (Settings, Developer settings, OAuth Apps) with the
// callback URL https://<your host>/login/github/authorized, then:
//
//	gh := github.New(github.Config{Scopes: []string{"user:email"}}) // GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET
//	gh.Mount(r.Group("/login"))
//	r.GET("/", gh.Require(), func(c *gin.Context) {
//		id, err := gh.Identity(c)
//		...
//	})
//
// Every endpoint is overridable (AuthURL, TokenURL, APIBaseURL) for tests
// against gintest and for proxies.
package github
