package gintest

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// grant is one authorization: every token issued from one authorization
// code (or one client_credentials request) belongs to it, so revoking the
// grant revokes the whole token family.
type grant struct {
	clientID string
	user     *User // nil for client_credentials
	revoked  bool
	jkt      string // the DPoP key's thumbprint its tokens are bound to (RFC 9449 §6), "" for bearer tokens
}

type tokenKind int

const (
	accessToken tokenKind = iota + 1
	refreshToken
)

type token struct {
	kind    tokenKind
	grant   *grant
	scope   string
	expires time.Time // zero: never (refresh tokens)
	revoked bool
	used    bool // a refresh token already exchanged under rotation
}

// authCode is an authorization code and everything it is bound to.
type authCode struct {
	clientID      string
	redirectURI   string
	redirectGiven bool // redirect_uri was in the request, so /token must repeat it
	challenge     string
	method        string
	scope         string
	user          User
	expires       time.Time
	used          bool
	grant         *grant // the grant the code was exchanged for
}

// newSecret returns an opaque random string with 256 bits of entropy.
func newSecret(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// mintLocked issues an access token, and a refresh token when withRefresh,
// for g. p.mu must be held.
func (p *Provider) mintLocked(g *grant, scope string, lifetime time.Duration, withRefresh bool) (access, refresh string) {
	access = newSecret("gta_")
	p.tokens[access] = &token{kind: accessToken, grant: g, scope: scope, expires: p.now().Add(lifetime)}
	if withRefresh {
		refresh = newSecret("gtr_")
		p.tokens[refresh] = &token{kind: refreshToken, grant: g, scope: scope}
	}
	return access, refresh
}

// activeLocked returns the token if it is of kind and still valid: known,
// not revoked, its family not revoked, not expired. p.mu must be held.
func (p *Provider) activeLocked(s string, kind tokenKind) *token {
	t := p.tokens[s]
	if t == nil || t.kind != kind || t.revoked || t.grant.revoked {
		return nil
	}
	if !t.expires.IsZero() && !p.now().Before(t.expires) {
		return nil
	}
	return t
}

// IssueToken mints an access token and a refresh token for userID as if
// the first registered client had gone through the code flow, for seeding
// tests. The user is the current auto-approve user when its ID matches,
// else a user with that ID as login and name. A zero lifetime means
// Options.TokenLifetime; a negative one returns an already expired access
// token. The tokens carry Options.Scopes.
func (p *Provider) IssueToken(userID string, lifetime time.Duration) (access, refresh string) {
	if lifetime == 0 {
		lifetime = p.opts.TokenLifetime
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u := User{ID: userID, Login: userID, Name: userID}
	if p.user != nil && p.user.ID == userID {
		u = *p.user
	}
	g := &grant{clientID: p.opts.Clients[0].ID, user: &u}
	return p.mintLocked(g, joinScopes(p.opts.Scopes), lifetime, true)
}

// Revoked reports whether token, an access or refresh token this Provider
// issued, has been revoked: by /revoke, by a replayed authorization code,
// or by refresh token reuse detection. Unknown and merely expired tokens
// are not revoked.
func (p *Provider) Revoked(token string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.tokens[token]
	return t != nil && (t.revoked || t.grant.revoked)
}
