// Package blueprint is the core of gindance: the OAuth dance for Gin.
//
// A Blueprint is one identity provider mounted on a Gin router group. Mount
// serves two routes:
//
//	GET /<name>             start a login: state, PKCE, redirect to the provider
//	GET /<name>/authorized  the provider's callback: check state, exchange the code, store the token
//
// Handlers then call b.Client(c) for an *http.Client-like value that signs
// requests with the user's token, refreshes it once however many requests race,
// and refuses to send it to any host it was not issued for.
//
// Where things live:
//
//   - login.go and callback.go: the login flow, start and finish.
//   - transaction.go: the per-login state kept in the user's session.
//   - refresh.go: the refresh path (singleflight, recent results, store locks).
//   - storage.go and session.go: the storage seam and its session-backed default.
//   - client.go and transport.go: the authenticated client and its host guard.
//   - errors.go and onerror.go: every error the flow can end in, and the default handler.
//
// Security defaults: PKCE S256 on, state single-use and bound to the browser
// session, at most a few pending logins per session, safe same-site next paths
// only, Referrer-Policy: no-referrer and Cache-Control: no-store on callbacks,
// tokens never in URLs or logs.
package blueprint
