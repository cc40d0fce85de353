// Package slack is the Sign in with Slack preset: OpenID Connect against
// https://slack.com through providers/oidc, so the id_token is verified
// and its Claims method works.
//
// Create a Slack app (api.slack.com/apps, Create New App), and under OAuth
// & Permissions add the redirect URL
// https://<your host>/login/slack/authorized and the user token scopes
// openid, profile and email; the client ID and secret are under Basic
// Information, App Credentials. Then:
//
//	sl := slack.New(slack.Config{Team: "T0123456"}) // SLACK_CLIENT_ID, SLACK_CLIENT_SECRET
//	sl.Mount(r.Group("/login"))
//
// Discovery gives Slack's openid.connect.* endpoints: authorization at
// /openid/connect/authorize, the token at /api/openid.connect.token and
// userinfo at /api/openid.connect.userInfo. The id_token carries the
// workspace in https://slack.com/team_id, team_name and friends (in
// Identity.Raw). Team preselects a workspace with the team parameter and
// is enforced on the verified team_id claim, since the parameter proves
// nothing. Slack answers a refused token request with HTTP 200 and
// {"ok": false, "error": ...}; the login ends with that error code.
//
// Identity holds sub (the Slack user ID), name, email (verified as
// email_verified says) and picture; Slack has no username claim, so
// Username is the email address. Sign in with Slack issues no refresh
// token unless token rotation is on, and its revocation (auth.revoke) is
// not RFC 7009: Logout forgets the token locally.
package slack
