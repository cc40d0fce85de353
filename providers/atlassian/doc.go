// Package atlassian is the Atlassian Cloud preset (Jira, Confluence,
// Bitbucket's Atlassian accounts): OAuth 2.0 (3LO) with the audience
// api.atlassian.com and prompt=consent that Atlassian requires, a rotating
// refresh token through the offline_access scope, an identity from
// https://api.atlassian.com/me, and AccessibleResources for the cloud IDs
// the product APIs are addressed by.
//
// Create an OAuth 2.0 integration at
// https://developer.atlassian.com/console/myapps/, add the User identity
// API permission (read:me) and the product APIs you need, and under
// Authorization set the callback URL
// https://<your host>/login/atlassian/authorized:
//
//	at := atlassian.New(atlassian.Config{Scopes: []string{"read:me", "offline_access", "read:jira-work"}})
//	at.Mount(r.Group("/login")) // ATLASSIAN_CLIENT_ID, ATLASSIAN_CLIENT_SECRET
//	r.GET("/", at.Require(), func(c *gin.Context) {
//		sites, err := atlassian.AccessibleResources(at.Client(c))
//		// sites[0].ID is the cloud ID: ex/jira/<cloud id>/rest/api/3/...
//	})
//
// Atlassian has no revocation endpoint for 3LO tokens, so Logout only
// forgets the token.
package atlassian
