package oidc_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/oidc"
)

const (
	tenantA = "aaaaaaaa-0000-4000-8000-00000000000a"
	tenantB = "bbbbbbbb-0000-4000-8000-00000000000b"
	tenantC = "cccccccc-0000-4000-8000-00000000000c"
)

// multiTenant is a fixture against a multi-tenant fake (an Entra ID
// /common-like issuer template) with IssuerTemplate set.
func multiTenant(t *testing.T, opts gintest.OIDCOptions, tweak ...func(*oidc.Config)) *fixture {
	t.Helper()
	opts.MultiTenant = true
	p := gintest.StartOIDCProvider(opts)
	t.Cleanup(p.Close)
	return newFixtureWith(t, p, append([]func(*oidc.Config){func(c *oidc.Config) { c.IssuerTemplate = p.IssuerTemplate() }}, tweak...)...)
}

// loginAs logs a fresh browser in as a user of tenant tid and returns the
// status and the /me page.
func loginAs(t *testing.T, f *fixture, tid string) *gintest.Page {
	t.Helper()
	f.p.SetTenant(tid)
	f.browser = gintest.NewBrowser()
	return f.get(t, "/login/idp?next=/me")
}

// Two tenants of the template issuer log in; each id_token's iss is the
// template with its own tid.
func TestTenantTemplateAcceptsTwoTenants(t *testing.T) {
	f := multiTenant(t, gintest.OIDCOptions{})
	for _, tid := range []string{tenantA, tenantB} {
		if page := loginAs(t, f, tid); page.StatusCode != http.StatusOK || page.Body != wantMe {
			t.Fatalf("tenant %s: %d %q", tid, page.StatusCode, page.Body)
		}
	}
}

// An id_token whose iss names another tenant than its own tid is refused,
// although that other tenant's issuer is a valid filling of the template.
func TestAttackTenantIssOfAnotherTenantRefused(t *testing.T) {
	f := multiTenant(t, gintest.OIDCOptions{})
	f.p.SetTenant(tenantA)
	f.p.Fail(gintest.OIDCFailure{TenantIssuer: tenantB})
	assertLoginRefused(t, f, oidc.ErrTenantIssuer)
}

// Config.Tenants restricts the template to an allow list; AllowTenant is a
// func policy.
func TestAttackTenantOutsideAllowListRefused(t *testing.T) {
	f := multiTenant(t, gintest.OIDCOptions{}, func(c *oidc.Config) { c.Tenants = []string{tenantA} })
	if page := loginAs(t, f, tenantA); page.StatusCode != http.StatusOK {
		t.Fatalf("allowed tenant: %d %q", page.StatusCode, page.Body)
	}
	f.browser = gintest.NewBrowser()
	f.p.SetTenant(tenantB)
	assertLoginRefused(t, f, oidc.ErrTenant)

	deny := errors.New("tenant blocked by the app")
	f = multiTenant(t, gintest.OIDCOptions{}, func(c *oidc.Config) {
		c.AllowTenant = func(tid string) error {
			if tid == tenantC {
				return deny
			}
			return nil
		}
	})
	f.p.SetTenant(tenantC)
	assertLoginRefused(t, f, deny)
}

// Without IssuerTemplate the exact check stands: the template named by the
// discovery document is not the configured issuer, so nothing logs in.
func TestTenantTemplateNeedsOptIn(t *testing.T) {
	p := gintest.StartOIDCProvider(gintest.OIDCOptions{MultiTenant: true})
	t.Cleanup(p.Close)
	f := newFixtureWith(t, p)
	page := f.get(t, "/login/idp")
	if page.StatusCode < 500 || !errors.Is(f.lastErr(t), oidc.ErrDiscovery) {
		t.Fatalf("%d %v", page.StatusCode, f.lastErr(t))
	}
}

// RFC 9207 with a template issuer: the response's iss is the tenant's own
// issuer and is accepted; an iss of a tenant outside the allow list is
// refused before the exchange; an iss of another allowed tenant than the
// id_token's is refused at verification.
func TestTenantTemplateResponseIss(t *testing.T) {
	opts := gintest.OIDCOptions{IssParameter: true}
	allow := func(c *oidc.Config) { c.Tenants = []string{tenantA, tenantB} }
	f := multiTenant(t, opts, allow)
	if page := loginAs(t, f, tenantA); page.StatusCode != http.StatusOK || page.Body != wantMe {
		t.Fatalf("with iss: %d %q", page.StatusCode, page.Body)
	}

	f.browser = gintest.NewBrowser()
	f.p.Fail(gintest.OIDCFailure{IssParam: f.p.TenantIssuer(tenantC)})
	page := f.get(t, "/login/idp")
	if page.StatusCode != http.StatusBadRequest || !errors.Is(f.lastErr(t), blueprint.ErrIssuerMismatch) {
		t.Fatalf("iss of a tenant outside the list: %d %v", page.StatusCode, f.lastErr(t))
	}
	f.browser = gintest.NewBrowser()
	f.p.Fail(gintest.OIDCFailure{IssParam: f.p.IssuerTemplate()})
	if page := f.get(t, "/login/idp"); page.StatusCode != http.StatusBadRequest {
		t.Fatalf("the template itself as iss: %d", page.StatusCode)
	}

	f.browser = gintest.NewBrowser()
	f.p.SetTenant(tenantA)
	f.p.Fail(gintest.OIDCFailure{IssParam: f.p.TenantIssuer(tenantB)})
	assertLoginRefused(t, f, oidc.ErrTenantIssuer)
}

// A malformed template, or a tenant list without one, is a configuration
// error at Mount.
func TestTenantTemplateConfigErrors(t *testing.T) {
	for name, cfg := range map[string]oidc.Config{
		"no placeholder": {IssuerTemplate: "https://login.example/common"},
		"tenants alone":  {Tenants: []string{tenantA}},
		"bad tenant":     {IssuerTemplate: "https://login.example/{tenantid}", Tenants: []string{"a/b"}},
	} {
		cfg.Issuer, cfg.ClientID, cfg.ClientSecret = "https://login.example/common", "id", "test-client-secret"
		if err := oidc.New("idp", cfg).Validate(); !errors.Is(err, blueprint.ErrConfig) || !strings.Contains(err.Error(), "enant") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
