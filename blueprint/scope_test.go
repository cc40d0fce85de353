package blueprint_test

import (
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
