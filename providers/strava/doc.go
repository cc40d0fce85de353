// Package strava is the Strava preset: OAuth 2.0 with the client's
// credentials in the token request body, scopes joined by commas as Strava
// wants them, and an identity taken from the athlete that Strava's token
// response carries, without an API call. The athlete may untick scopes on
// Strava's consent page, and Strava names the accepted ones only in the
// redirect back: Token.Scopes are those, of the ones asked for.
//
// Create an API application at https://www.strava.com/settings/api and set
// its Authorization Callback Domain to your host (Strava checks the
// domain, not the path); the callback is
// https://<your host>/login/strava/authorized:
//
//	st := strava.New(strava.Config{}) // STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET
//	st.Mount(r.Group("/login"))
//
// Access tokens last six hours; each refresh may return a new refresh
// token, which the blueprint stores in place of the old one. A refreshed
// token response carries no athlete, so after a refresh Identity reads
// /athlete instead. Strava shares no email address.
package strava
