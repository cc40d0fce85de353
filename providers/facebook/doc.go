// Package facebook is the Facebook Login preset: OAuth 2.0 against the
// versioned Graph API (Config.APIVersion, default DefaultAPIVersion), an
// identity from /me, and appsecret_proof on every API call.
//
// Create an app at https://developers.facebook.com/apps (use case
// "Authenticate and request data from users with Facebook Login"), and
// under Facebook Login, Settings, enter the Valid OAuth Redirect URI
// https://<your host>/login/facebook/authorized. The App ID and App Secret
// (App settings, Basic) are the client ID and secret:
//
//	fb := facebook.New(facebook.Config{}) // FACEBOOK_CLIENT_ID, FACEBOOK_CLIENT_SECRET
//	fb.Mount(r.Group("/login"))
//
// Every Graph API call the blueprint's Client makes carries
// appsecret_proof, the HMAC-SHA256 of the access token keyed with the app
// secret, so the app can turn on "Require App Secret" (App settings,
// Advanced) and a stolen token is useless without the secret. The proof is
// added only to requests to the Graph API's origin, never to another host
// and never to the token endpoint.
//
// Facebook does not say whether the address in /me's email field was
// verified, so Identity reports it with EmailVerified false. Logout does
// not revoke: Facebook has no RFC 7009 endpoint (its DELETE
// /me/permissions removes the whole app grant; call it yourself if you
// want that).
package facebook
