package oidc_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/oidc"
)

// An Issuer that differs from the discovered one only by a trailing slash
// is found by Discover at startup, and the error shows the exact string to
// configure; the comparison itself stays exact (Discovery §4.3), so a login
// with the wrong string still fails.
func TestDiscoverNamesTrailingSlashIssuer(t *testing.T) {
	withSlash := gintest.StartOIDCProvider(gintest.OIDCOptions{IssuerTrailingSlash: true})
	t.Cleanup(withSlash.Close)
	without := gintest.StartOIDCProvider(gintest.OIDCOptions{})
	t.Cleanup(without.Close)
	for _, tc := range []struct {
		p          *gintest.OIDCProvider
		configured string
	}{
		{withSlash, withSlash.URL()},      // the server's issuer has the slash, the config lacks it
		{without, without.Issuer() + "/"}, // and the other way round
	} {
		f := newFixtureWith(t, tc.p, func(c *oidc.Config) { c.Issuer = tc.configured })
		err := f.b.Discover(context.Background())
		if !errors.Is(err, oidc.ErrDiscovery) || !errors.Is(err, blueprint.ErrConfig) {
			t.Fatalf("Issuer %q for issuer %q: Discover = %v, want ErrDiscovery", tc.configured, tc.p.Issuer(), err)
		}
		mustContain(t, err.Error(), `differ only in the trailing slash: set Issuer: "`+tc.p.Issuer()+`"`)
		if page := f.get(t, "/me"); page.StatusCode == http.StatusOK {
			t.Fatalf("Issuer %q: login against issuer %q succeeded: the comparison must stay exact", tc.configured, tc.p.Issuer())
		}
	}
	f := newFixtureWith(t, withSlash) // configured with Issuer(), the slash included
	if err := f.b.Discover(context.Background()); err != nil {
		t.Fatalf("Discover with the exact issuer: %v", err)
	}
	if page := f.get(t, "/me"); page.StatusCode != http.StatusOK || page.Body != wantMe {
		t.Fatalf("login with the exact trailing-slash issuer: %d %q", page.StatusCode, page.Body)
	}
}

// Any other mismatch gets no trailing-slash hint; an unreachable provider
// and a bad configuration are reported by Discover too, before any login.
func TestDiscoverReportsOtherStartupMistakes(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{})
	f.p.Fail(gintest.OIDCFailure{DiscoveryIssuer: "https://other.example"})
	err := f.b.Discover(context.Background())
	if !errors.Is(err, oidc.ErrDiscovery) || strings.Contains(err.Error(), "trailing slash") {
		t.Fatalf("another issuer: %v, want ErrDiscovery without a trailing-slash hint", err)
	}
	f.p.Fail(gintest.OIDCFailure{})

	gone := gintest.StartOIDCProvider(gintest.OIDCOptions{})
	gone.Close()
	down := oidc.New("down", oidc.Config{Issuer: gone.Issuer(), ClientID: "c", ClientSecret: "test-client-secret"})
	var pe *blueprint.ProviderError
	if err := down.Discover(context.Background()); !errors.As(err, &pe) || pe.Op != "discovery" {
		t.Fatalf("unreachable provider: %v, want a *ProviderError of discovery", err)
	}
	noSecret := oidc.New("x", oidc.Config{Issuer: f.p.Issuer(), ClientID: "c"})
	if err := noSecret.Discover(context.Background()); !errors.Is(err, blueprint.ErrConfig) {
		t.Fatalf("no ClientSecret: %v, want ErrConfig", err)
	}
}

// RP-Initiated Logout 1.0 §2: post_logout_redirect_uri (and state) are
// optional. Without a registered one the logout still goes to the
// provider's end_session_endpoint with id_token_hint and client_id, and the
// provider shows its own page, instead of a local-only logout.
func TestRPInitiatedLogoutWithoutPostLogoutRedirectURI(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{NoPostLogoutRedirectURI: true},
		func(c *oidc.Config) { c.PostLogoutRedirectURL = "" })
	if page := f.get(t, "/me"); page.Body != wantMe {
		t.Fatalf("login: %d %q", page.StatusCode, page.Body)
	}
	page := f.get(t, "/logout")
	if !strings.HasPrefix(page.URL.String(), f.p.URL()+"/end_session") || page.StatusCode != http.StatusOK || !strings.Contains(page.Body, `<h1 id="signed-out">Signed out</h1>`) {
		t.Fatalf("logout ended at %s (%d %q), want the provider's end_session page", page.URL, page.StatusCode, page.Body)
	}
	ends := f.p.EndSessions()
	if len(ends) != 1 {
		t.Fatalf("%d end_session requests, want 1", len(ends))
	}
	q := ends[0]
	if q.Get("id_token_hint") == "" || q.Get("client_id") != gintest.DefaultClientID || q.Has("post_logout_redirect_uri") || q.Has("state") {
		t.Fatalf("end_session request %v: want id_token_hint and client_id, no post_logout_redirect_uri or state", q)
	}
	if home := f.get(t, "/"); home.Body != "authorized=false" {
		t.Fatalf("after logout the app says %q", home.Body)
	}
}

// OpenID Connect Core §5.4: a server that issues an access token may put
// the profile claims in userinfo only. Claims then lacks them, and
// UserInfo: true with Identity has them.
func TestProfileClaimsFromUserinfo(t *testing.T) {
	opts := gintest.OIDCOptions{ProfileInUserinfoOnly: true}
	f := newFixture(t, opts)
	if page := f.get(t, "/me"); page.Body != "sub=u-1 user= email= verified=false" {
		t.Fatalf("without UserInfo: %q, want an identity without profile claims", page.Body)
	}
	f = newFixture(t, opts, func(c *oidc.Config) { c.UserInfo = true })
	if page := f.get(t, "/me"); page.Body != wantMe {
		t.Fatalf("with UserInfo: %q, want %q", page.Body, wantMe)
	}
}
