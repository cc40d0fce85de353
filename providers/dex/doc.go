// Package dex is the Dex preset: OpenID Connect against a Dex server
// (dexidp.io), the federating provider in front of LDAP, SAML, GitHub and
// other connectors, through providers/oidc, so the id_token is verified and
// its Claims method works.
//
// Register the app as a static client in Dex's configuration:
//
//	staticClients:
//	- id: my-app
//	  name: My app
//	  secret: <a long random secret>
//	  redirectURIs: ["https://<your host>/login/dex/authorized"]
//
// Then:
//
//	d := dex.New(dex.Config{Issuer: "https://dex.example.com/dex", Offline: true}) // DEX_CLIENT_ID, DEX_CLIENT_SECRET
//	d.Mount(r.Group("/login"))
//
// Dex's sub is an opaque encoding of the connector and the upstream user
// ID; FederatedID asks for federated_claims with both in the clear. Groups
// asks for the groups claim, Connector skips the connector chooser.
// email_verified is whatever the upstream connector reports: check what
// yours does before linking accounts by address. Dex has no
// revocation endpoint: Logout forgets the token only.
package dex
