// Package notion is the Notion preset: OAuth 2.0 for public connections,
// with the client authenticated by HTTP Basic and the token request sent
// as JSON (Notion's token endpoint takes no form), the Notion-Version
// header on API calls, and an identity taken from the owner that Notion's
// token response carries.
//
// Create a public connection at https://www.notion.so/profile/integrations
// (Distribution: public), add the redirect URI
// https://<your host>/login/notion/authorized, and copy the OAuth client
// ID and secret:
//
//	nt := notion.New(notion.Config{}) // NOTION_CLIENT_ID, NOTION_CLIENT_SECRET
//	nt.Mount(r.Group("/login"))
//
// Notion has no scopes: what the connection may see is chosen by the user
// on Notion's consent page. The token response also names the workspace
// (Token.Extra["workspace_id"], "workspace_name", "bot_id"). Notion does
// not say whether the owner's address was verified, so Identity reports it
// with EmailVerified false.
package notion
