// Package zitadel is the ZITADEL preset: OpenID Connect against a ZITADEL
// instance (ZITADEL Cloud or self-hosted) through providers/oidc, so the
// id_token is verified and its Claims method works.
//
// In the ZITADEL console, open a project and create an application of type
// Web, authentication method CODE (client secret; sent with HTTP Basic),
// with the redirect URI https://<your host>/login/zitadel/authorized; note
// the Client ID and Client Secret it shows once. Then:
//
//	z := zitadel.New(zitadel.Config{Domain: "acme-x1y2z3.zitadel.cloud"}) // ZITADEL_CLIENT_ID, ZITADEL_CLIENT_SECRET
//	z.Mount(r.Group("/login"))
//
// Organization restricts logins to one organization with the
// urn:zitadel:iam:org:id:<id> scope, which ZITADEL enforces, and asks for
// the user's organization claims (urn:zitadel:iam:user:resourceowner). Offline adds offline_access for a refresh token. Identity merges
// userinfo, since ZITADEL id_tokens carry profile claims only when the
// app's "User Info inside ID Token" setting is on. ZITADEL's discovery
// names its revocation and end_session endpoints.
package zitadel
