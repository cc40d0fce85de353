// Package bitbucket is the Bitbucket Cloud preset: OAuth 2.0, an identity
// from /2.0/user and the primary confirmed address of /2.0/user/emails.
//
// Add an OAuth consumer under your workspace's settings (Apps and
// features, OAuth consumers, Add consumer) with the callback URL
// https://<your host>/login/bitbucket/authorized and the Account: Email
// and Read permissions. The consumer's Key and Secret are the client ID
// and secret:
//
//	bb := bitbucket.New(bitbucket.Config{}) // BITBUCKET_CLIENT_ID, BITBUCKET_CLIENT_SECRET
//	bb.Mount(r.Group("/login"))
//
// Access tokens last two hours and come with a refresh token; Bitbucket
// has no revocation endpoint, so Logout only forgets the token.
package bitbucket
