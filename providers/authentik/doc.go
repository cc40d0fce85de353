// Package authentik is the authentik preset: OpenID Connect against one
// application of an authentik server (goauthentik.io) through
// providers/oidc, so the id_token is verified and its Claims method works.
//
// authentik gives each application its own issuer,
// https://<server>/application/o/<slug>/ (with a trailing slash), while
// the authorize, token and revocation endpoints are shared by all and named
// by the application's discovery document.
//
// In the admin interface, create a provider of type OAuth2/OpenID
// Provider (Applications, Providers): client type Confidential, redirect
// URI https://<your host>/login/authentik/authorized, and the scope
// mappings openid, profile and email (and offline_access for Offline);
// then create an application with that provider and note its slug. Then:
//
//	a := authentik.New(authentik.Config{BaseURL: "https://auth.example.com", Slug: "my-app"}) // AUTHENTIK_CLIENT_ID, AUTHENTIK_CLIENT_SECRET
//	a.Mount(r.Group("/login"))
//
// email_verified comes from authentik's email scope mapping; Identity
// reports an address as verified only when it says true. Logout revokes at
// the discovered revocation endpoint.
package authentik
