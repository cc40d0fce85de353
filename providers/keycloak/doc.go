// Package keycloak is the Keycloak preset: OpenID Connect against one realm
// of a Keycloak server through providers/oidc, so the id_token is verified
// and its Claims method works. The realm URL (the issuer) is BaseURL/realms/Realm.
//
// In the realm's admin console, create a client (Clients, Create client):
// type OpenID Connect, Client authentication on (a confidential client),
// Standard flow on, and the valid redirect URI
// https://<your host>/login/keycloak/authorized. The client secret is on
// its Credentials tab. Then:
//
//	kc := keycloak.New(keycloak.Config{BaseURL: "https://sso.example.com", Realm: "acme"}) // KEYCLOAK_CLIENT_ID, KEYCLOAK_CLIENT_SECRET
//	kc.Mount(r.Group("/login"))
//
// Keycloak publishes revocation and end_session endpoints in discovery, so
// Logout revokes the refresh token and LogoutHandler ends the SSO
// session. email_verified is the user's "Email verified" flag; Identity
// reports an address as verified only when it is set.
//
// Servers older than Keycloak 17 serve under /auth: set BaseURL to
// "https://sso.example.com/auth".
package keycloak
