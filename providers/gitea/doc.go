// Package gitea is the Gitea and Forgejo preset: OAuth 2.0 with PKCE
// against a self-hosted instance (Config.BaseURL; default https://gitea.com,
// e.g. https://codeberg.org for Forgejo's largest), an identity from
// /api/v1/user and the primary verified address of /api/v1/user/emails.
//
// On the instance, create an OAuth2 application (Settings, Applications,
// Manage OAuth2 applications) with the redirect URI
// https://<your host>/login/gitea/authorized, and copy its client ID and
// secret:
//
//	gt := gitea.New(gitea.Config{BaseURL: "https://git.example.com"}) // GITEA_CLIENT_ID, GITEA_CLIENT_SECRET
//	gt.Mount(r.Group("/login"))
//
// Forgejo serves the same endpoints; name the blueprint "forgejo" (and its
// callback /login/forgejo/authorized) if you prefer. Access tokens last an
// hour and are refreshed; Gitea has no revocation endpoint.
package gitea
