// Package dropbox is the Dropbox preset: OAuth 2.0 with PKCE, a refresh
// token (token_access_type=offline; Dropbox's access tokens last four
// hours), and an identity from users/get_current_account, which Dropbox
// serves as a POST with a JSON body.
//
// Create an app at https://www.dropbox.com/developers/apps (Scoped
// access), enable the account_info.read permission, add the redirect URI
// https://<your host>/login/dropbox/authorized, and copy the App key and
// App secret:
//
//	dbx := dropbox.New(dropbox.Config{}) // DROPBOX_CLIENT_ID, DROPBOX_CLIENT_SECRET
//	dbx.Mount(r.Group("/login"))
//
// API calls go to https://api.dropboxapi.com/2/; file content calls use
// https://content.dropboxapi.com, which the blueprint allows
// (Options.AllowedHosts). Logout does not revoke: Dropbox's
// /2/auth/token/revoke is not RFC 7009 (it takes the bearer token itself);
// call it through the Client before Logout if you want it.
package dropbox
