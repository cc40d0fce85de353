// Package gintest is a fake OAuth 2.0 provider to test gindance login flows
// against, with no network beyond loopback.
//
// A test of a gindance app starts a provider, mounts the blueprint that
// NewBlueprint makes for it (its endpoints, the default client and
// Identity), and logs in with a Browser, which follows the whole dance:
//
//	p := gintest.StartProvider(gintest.Options{
//		User: &gintest.User{ID: "42", Login: "ada", Email: "ada@example.test"},
//	})
//	defer p.Close()
//
//	r := gin.New()
//	r.Use(sessions.Sessions("app", store))
//	idp := p.NewBlueprint("idp") // a *blueprint.Blueprint
//	idp.Mount(r.Group("/login"))
//	// ... the app's routes, then:
//	app := httptest.NewServer(r)
//	page, err := gintest.NewBrowser().Get(app.URL + "/login/idp?next=/me")
//	// page is /me as the logged-in ada sees it.
//
// The configs a provider returns (OAuth2Config, NewBlueprint's,
// OAuth1Config) pin its LoginCookieKey, random per provider, so that a
// suite's blueprints do not each derive the default pending-login key from
// the client secret (Argon2id, about 100 ms and 64 MiB per blueprint).
//
// SeedToken skips the login for unit tests of handlers. The provider is a
// plain OAuth 2.0 server too, for clients built on golang.org/x/oauth2
// directly: AuthURL, TokenURL, DefaultClientID and DefaultClientSecret are
// its configuration.
//
// A Provider is an authorization server and a small user API in one
// http.Handler:
//
//	GET  /            a page that says what the provider is and lists its endpoints
//	GET  /authorize   authorization code flow (RFC 6749 §4.1) with PKCE (RFC 7636)
//	POST /token       authorization_code, refresh_token and client_credentials grants
//	GET  /api/me      the signed-in user, for a Bearer or DPoP access token (RFC 6750, RFC 9449)
//	POST /revoke      token revocation (RFC 7009)
//	POST /par         pushed authorization requests (RFC 9126)
//
// Clients authenticate with a secret, or with a JWT assertion
// (private_key_jwt against Client.JWKSURL, client_secret_jwt; RFC 7523);
// DPoP proofs (RFC 9449) are verified whenever sent and bind the tokens,
// with RequireDPoP and DPoPNonce to insist on them, and RequirePAR to
// insist on pushed requests.
//
// It follows the OAuth 2.0 Security BCP (RFC 9700) where a client can
// observe it: PKCE with S256 is required, redirect URIs match exactly,
// authorization codes are single use and a replayed code revokes its
// tokens, refresh tokens can rotate with reuse detection, and access
// tokens are never taken from the query string.
//
// With Options.User set, every authorization is approved as that user at
// once, which suits automated tests. Without it, /authorize shows an HTML
// sign-in form where any name signs in, for trying an application by hand
// or from a headless browser. Failure knobs (Provider.Fail) make the
// provider deny, error, stall or answer garbage, for negative tests;
// Provider.Calls counts the requests each endpoint served.
//
// OIDCProvider is a fake OpenID Connect provider (discovery, a JWKS with
// RS256 and ES256 keys and key rotation, id_tokens with nonce, userinfo,
// end_session) with knobs for every id_token fault a relying party must
// refuse (OIDCFailure). OAuth1Provider is a fake OAuth 1.0a provider that
// verifies the RFC 5849 signature of every request (OAuth1Failure).
//
// Both providers answer response_mode=form_post (OAuth 2.0 Form Post
// Response Mode) with an auto-submitting page from their own origin; the
// OIDCProvider also serves issuer templates with per-login tenants
// (OIDCOptions.MultiTenant, as Entra ID's /common does).
//
// Browser is a small cookie-keeping HTTP client that follows redirects
// across hosts and submits auto-submitting forms (form_post responses), to
// walk through a login flow like a user would.
//
// gintest is for tests only: it keeps everything in memory and its
// sign-in form checks no password.
package gintest
