// Package linkedin is the LinkedIn preset: Sign In with LinkedIn using
// OpenID Connect, through providers/oidc, so the id_token is verified
// (signature, iss, aud, exp) and its Claims method works.
//
// In the LinkedIn Developer Portal (linkedin.com/developers), create an
// app, add the product "Sign In with LinkedIn using OpenID Connect" on its
// Products tab, and on the Auth tab add the authorized redirect URL
// https://<your host>/login/linkedin/authorized and copy the client ID and
// primary client secret. Then:
//
//	li := linkedin.New(linkedin.Config{}) // LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET
//	li.Mount(r.Group("/login"))
//
// LinkedIn's quirks, each pinned by a test: the issuer is
// https://www.linkedin.com/oauth; the token endpoint wants
// client_secret_post; it refuses PKCE's code_verifier for web apps, so PKCE
// is off; its id_tokens carry no nonce, so a missing one is accepted (a
// wrong one is not). Identity holds sub, name, email (verified only when
// email_verified says so, as a boolean or the string "true") and picture;
// LinkedIn has no username, so Username is the email address. LinkedIn
// states that this product does not verify identities. Refresh tokens are
// issued to approved partners only, and Logout forgets the token locally.
package linkedin
