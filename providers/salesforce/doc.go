// Package salesforce is the Salesforce preset: OpenID Connect against
// login.salesforce.com, test.salesforce.com (sandboxes) or an org's My
// Domain through providers/oidc, so the id_token is verified and
// its Claims method works.
//
// In Setup, App Manager, create a connected app (or an external client
// app) with OAuth enabled: callback URL
// https://<your host>/login/salesforce/authorized, OAuth scopes "Access
// unique user identifiers (openid)", "Access the identity URL service"
// (profile, email), "Manage user data via APIs (api)" and, for Offline,
// "Perform requests at any time (refresh_token, offline_access)"; require
// the secret for the web server flow. Its consumer key and secret are the
// client ID and secret. Then:
//
//	sf := salesforce.New(salesforce.Config{MyDomain: "acme"}) // SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET
//	sf.Mount(r.Group("/login"))
//	r.GET("/", sf.Require(), func(c *gin.Context) {
//		var limits map[string]any
//		err := sf.Client(c).GetJSON("services/data/v61.0/limits", &limits)
//		...
//	})
//
// The token response names the org's instance_url, the base of its REST
// API; InstanceURL(tok) returns it. With MyDomain the My Domain URL is the
// instance URL and APIBaseURL by default; without, set APIBaseURL to the
// org's instance (the host guard sends tokens only there).
//
// Salesforce's token response has no expires_in: the access token lasts as
// long as the org's session timeout, so the blueprint cannot refresh it
// ahead of time. Discovery names the revocation endpoint, so Logout
// revokes. Identity merges userinfo over the id_token: ID is sub,
// Username the Salesforce username (preferred_username), and the address
// is verified only when email_verified says so.
package salesforce
