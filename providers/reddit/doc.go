// Package reddit is the Reddit preset: OAuth 2.0 with HTTP Basic client
// authentication (the only kind Reddit's token endpoint takes), a
// permanent grant (duration=permanent, so a refresh token comes back),
// API calls to https://oauth.reddit.com, a descriptive User-Agent on every
// request (Reddit throttles or refuses generic ones), and revocation on
// Logout.
//
// Create a "web app" at https://www.reddit.com/prefs/apps with the
// redirect uri https://<your host>/login/reddit/authorized. The string
// under the app's name is the client ID, "secret" the client secret:
//
//	rd := reddit.New(reddit.Config{UserAgent: "web:com.example.myapp:v1.2 (by /u/myname)"}) // REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET
//	rd.Mount(r.Group("/login"))
//
// Reddit asks for a User-Agent of the form
// <platform>:<app ID>:<version> (by /u/<username>); set UserAgent to yours.
// Reddit shares no email address, so Identity has none.
package reddit
