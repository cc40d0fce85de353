package blueprint_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// Token.Scopes are what the provider granted when its token response says
// (RFC 6749 §5.1: scope is required when it differs from the request), as
// a space-separated string or as the JSON array some providers send
// (Twitch), and what was requested when it does not; a refresh keeps the
// grant's scopes.
func TestTokenScopesAreWhatWasGrantedRFC6749Section5_1(t *testing.T) {
	onlyRead := func(requested []string) []string {
		return slices.DeleteFunc(slices.Clone(requested), func(s string) bool { return s != "read" })
	}
	for _, tc := range []struct {
		name   string
		quirks gintest.TokenQuirks
		want   []string
	}{
		{"all granted", gintest.TokenQuirks{}, []string{"read", "write"}},
		{"fewer granted, string", gintest.TokenQuirks{GrantScopes: onlyRead}, []string{"read"}},
		{"fewer granted, array", gintest.TokenQuirks{GrantScopes: onlyRead, ScopeArray: true}, []string{"read"}},
		{"all granted, array", gintest.TokenQuirks{ScopeArray: true}, []string{"read", "write"}},
		{"none named", gintest.TokenQuirks{GrantScopes: func([]string) []string { return nil }}, []string{"read", "write"}},
		// GitHub: "read,write"; OAuth2Hooks.ScopeSeparator reads it
		{"comma-separated", gintest.TokenQuirks{ScopeSeparator: ","}, []string{"read", "write"}},
		{"fewer granted, comma-separated", gintest.TokenQuirks{GrantScopes: onlyRead, ScopeSeparator: ","}, []string{"read"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := shortLived
			opts.TokenQuirks = tc.quirks
			f := newFixture(t, opts, func(c *blueprint.OAuth2Config) {
				c.Scopes = []string{"read", "write"}
				c.Protocol.ScopeSeparator = tc.quirks.ScopeSeparator
			})
			m := gintest.NewMemoryStorage(nil)
			f.b.SetStorage(m)
			f.loggedIn(t)
			scopes := func(when string) {
				t.Helper()
				tok, err := m.Get(nil, "fake")
				if err != nil || tok == nil {
					t.Fatalf("%s: stored token %v, %v", when, tok, err)
				}
				if !slices.Equal(tok.Scopes, tc.want) {
					t.Fatalf("%s: Token.Scopes %q, want %q", when, tok.Scopes, tc.want)
				}
			}
			scopes("after the login")
			if page := f.get(t, "/api"); page.Body != "alice" || f.p.Calls(gintest.EndpointRefresh) != 1 {
				t.Fatalf("API call with a short-lived token: %d %q, %d refreshes", page.StatusCode, page.Body, f.p.Calls(gintest.EndpointRefresh))
			}
			scopes("after a refresh")
		})
	}
}

// OAuth2Hooks.ScopesInRedirect: a provider that names the granted
// scopes only in the redirect (Strava) narrows Token.Scopes to those, of
// the ones asked for; a token response that names scopes wins over the
// redirect, which comes through the browser unsigned.
func TestScopesInRedirectNarrowButNeverWiden(t *testing.T) {
	for _, tc := range []struct {
		name     string
		quirks   gintest.TokenQuirks
		want     []string
		formPost bool
	}{
		{"redirect only, one unticked", gintest.TokenQuirks{ScopeInRedirect: true, OmitScope: true,
			GrantScopes: func([]string) []string { return []string{"write"} }}, []string{"write"}, false},
		// the form_post relay page carries scope on
		{"form_post, one unticked", gintest.TokenQuirks{ScopeInRedirect: true, OmitScope: true,
			GrantScopes: func([]string) []string { return []string{"write"} }}, []string{"write"}, true},
		{"redirect only, one not asked for", gintest.TokenQuirks{ScopeInRedirect: true, OmitScope: true,
			GrantScopes: func(r []string) []string { return append(r, "admin") }}, []string{"read", "write"}, false},
		{"no scope in the redirect", gintest.TokenQuirks{OmitScope: true}, []string{"read", "write"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, gintest.Options{TokenQuirks: tc.quirks}, func(c *blueprint.OAuth2Config) {
				c.Scopes = []string{"read", "write"}
				c.Protocol.ScopesInRedirect = true
				c.FormPost = tc.formPost
			})
			m := gintest.NewMemoryStorage(nil)
			f.b.SetStorage(m)
			f.loggedIn(t)
			if tok, _ := m.Get(nil, "fake"); tok == nil || !slices.Equal(tok.Scopes, tc.want) {
				t.Fatalf("stored token %+v, want Scopes %q", tok, tc.want)
			}
		})
	}

	// The browser rewrites the redirect's scope; the token response, which
	// names the scopes too, is what counts.
	f := newFixture(t, gintest.Options{TokenQuirks: gintest.TokenQuirks{ScopeInRedirect: true,
		GrantScopes: func([]string) []string { return []string{"read"} }}}, func(c *blueprint.OAuth2Config) {
		c.Scopes = []string{"read", "write"}
		c.Protocol.ScopesInRedirect = true
	})
	m := gintest.NewMemoryStorage(nil)
	f.b.SetStorage(m)
	cb, err := url.Parse(f.startLogin(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	q := cb.Query()
	if q.Get("scope") != "read" {
		t.Fatalf("the provider's redirect names scope %q, want read", q.Get("scope"))
	}
	q.Set("scope", "write")
	cb.RawQuery = q.Encode()
	if page, err := f.deliver(f.browser, cb.String()); err != nil || page.StatusCode != http.StatusOK {
		t.Fatalf("callback: %v %v", err, page)
	}
	if tok, _ := m.Get(nil, "fake"); tok == nil || !slices.Equal(tok.Scopes, []string{"read"}) {
		t.Fatalf("with a rewritten redirect scope: stored token %+v, want the token response's read", tok)
	}
}
