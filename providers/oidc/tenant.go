package oidc

import (
	"context"
	"fmt"
	"slices"
	"strings"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/gindance/gindance/blueprint"
)

// Issuers that are templates. Microsoft Entra ID's multi-tenant endpoints
// (/common, /organizations) publish the issuer
// "https://login.microsoftonline.com/{tenantid}/v2.0": every tenant signs
// its id_tokens with an issuer of its own and says which in the tid claim.
// With Config.IssuerTemplate set (an explicit opt-in) the discovery
// document's issuer must equal the template exactly, and each id_token's
// iss must equal the template with the token's own tid substituted, exactly;
// the tenant must pass Config.Tenants and Config.AllowTenant. Config.Issuer
// stays the URL discovery is fetched from (…/common/v2.0). Without
// IssuerTemplate nothing here applies and the issuer check stays exact.
//
// RFC 9207: an authorization response's iss (Entra ID does not advertise
// authorization_response_iss_parameter_supported, so normally there is
// none) must be the template filled in with an allowed tenant, and the
// id_token that the code is exchanged for must name that same issuer.

// TenantPlaceholder is what Config.IssuerTemplate holds where the tenant ID
// goes.
const TenantPlaceholder = "{tenantid}"

// templated reports whether the issuer is a template.
func (p *provider) templated() bool { return p.cfg.IssuerTemplate != "" }

// discoveryIssuer is the issuer the discovery document must name.
func (p *provider) discoveryIssuer() string {
	if p.templated() {
		return p.cfg.IssuerTemplate
	}
	return p.cfg.Issuer
}

// validateTemplate reports a malformed IssuerTemplate.
func (p *provider) validateTemplate() error {
	t := p.cfg.IssuerTemplate
	if t == "" {
		if len(p.cfg.Tenants) > 0 || p.cfg.AllowTenant != nil {
			return fmt.Errorf("%w: %s: Tenants and AllowTenant need an IssuerTemplate", blueprint.ErrConfig, p.name)
		}
		return nil
	}
	if strings.Count(t, TenantPlaceholder) != 1 {
		return fmt.Errorf("%w: %s: IssuerTemplate %q must hold %s once", blueprint.ErrConfig, p.name, t, TenantPlaceholder)
	}
	for _, tid := range p.cfg.Tenants {
		if !validTenantID(tid) {
			return fmt.Errorf("%w: %s: tenant %q is not a tenant ID (letters, digits and '-')", blueprint.ErrConfig, p.name, tid)
		}
	}
	return nil
}

// validTenantID reports whether tid can be put into the template: a
// non-empty run of letters, digits and '-' (Entra's tenant IDs are GUIDs),
// so that it cannot reach into another part of the URL.
func validTenantID(tid string) bool {
	if tid == "" || len(tid) > 64 {
		return false
	}
	for i := 0; i < len(tid); i++ {
		c := tid[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// tenantIssuer is the template with tid substituted.
func (p *provider) tenantIssuer(tid string) string {
	return strings.Replace(p.cfg.IssuerTemplate, TenantPlaceholder, tid, 1)
}

// allowTenant applies the tenant policy.
func (p *provider) allowTenant(tid string) error {
	if !validTenantID(tid) {
		return fmt.Errorf("%w: tid %q", ErrTenant, excerpt(tid))
	}
	if len(p.cfg.Tenants) > 0 && !slices.Contains(p.cfg.Tenants, tid) {
		return fmt.Errorf("%w: tenant %s is not in Tenants", ErrTenant, tid)
	}
	if p.cfg.AllowTenant != nil {
		if err := p.cfg.AllowTenant(tid); err != nil {
			return fmt.Errorf("%w: tenant %s: %w", ErrTenant, tid, err)
		}
	}
	return nil
}

// matchIssuer is the Endpoints.MatchIssuer hook of a template issuer: iss
// must be the template filled in with an allowed tenant.
func (p *provider) matchIssuer(iss string) bool {
	before, after, _ := strings.Cut(p.cfg.IssuerTemplate, TenantPlaceholder)
	tid, ok := strings.CutPrefix(iss, before)
	if !ok {
		return false
	}
	if tid, ok = strings.CutSuffix(tid, after); !ok {
		return false
	}
	return p.allowTenant(tid) == nil && p.tenantIssuer(tid) == iss
}

// verifierConfig adjusts go-oidc's config: with a template the issuer is
// checked by checkTenant instead, after the signature.
func (p *provider) verifierConfig(c *gooidc.Config) *gooidc.Config {
	c.SkipIssuerCheck = p.templated()
	return c
}

// checkTenant checks a verified id_token against the template: its iss must
// be the template with its own tid, exactly, and the tenant allowed.
func (p *provider) checkTenant(t *gooidc.IDToken, claims map[string]any) error {
	if !p.templated() {
		return nil
	}
	tid, _ := claims["tid"].(string)
	if err := p.allowTenant(tid); err != nil {
		return err
	}
	if t.Issuer != p.tenantIssuer(tid) {
		return fmt.Errorf("%w: iss %q, tid %s", ErrTenantIssuer, excerpt(t.Issuer), tid)
	}
	return nil
}

// checkResponseIssuer binds the authorization response's iss (RFC 9207),
// when it had one, to the id_token's.
func checkResponseIssuer(ctx context.Context, idIssuer string) error {
	if iss := blueprint.ResponseIssuer(ctx); iss != "" && iss != idIssuer {
		return fmt.Errorf("%w: the authorization response named %q", ErrTenantIssuer, excerpt(iss))
	}
	return nil
}

// excerpt bounds a value echoed into an error.
func excerpt(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
