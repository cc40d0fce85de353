package auth0

import (
	"fmt"
	"strings"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
	"github.com/gindance/gindance/providers/oidc"
)

// ErrOrganization means the verified id_token's org_id (or org_name) claim
// is not Config.Organization: the user signed in to another organization.
// It wraps oidc.ErrIDToken.
var ErrOrganization = fmt.Errorf("%w: org_id claim is not the required organization", oidc.ErrIDToken)

// Config configures the Auth0 blueprint. Empty ClientID and ClientSecret
// are read from AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes besides openid. Default: profile, email.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "auth0".
	Name string
	// Domain is the tenant's domain, e.g. "acme.eu.auth0.com", or its
	// custom domain.
	Domain string
	// Audience is the identifier of an API registered in the tenant. Set,
	// the access token is a JWT for that API; empty, Auth0 issues an
	// opaque token good for /userinfo only.
	Audience string
	// Organization logs in to an Auth0 Organization, by ID ("org_...") or
	// name: it is sent as organization and enforced on the verified org_id
	// (or org_name) claim, at login and in Claims.
	Organization string
	// Offline asks for a refresh token (scope offline_access; the API must
	// allow offline access).
	Offline bool

	// Issuer overrides https://<Domain>/ (with Auth0's trailing slash);
	// DiscoveryURL and APIBaseURL override what follows from it.
	// APIBaseURL defaults to https://<Domain>/, where /userinfo is.
	Issuer, DiscoveryURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// New returns an OpenID Connect blueprint for an Auth0 tenant; its Claims method
// works on it. The issuer is https://<Domain>/: Auth0's issuer ends in a
// slash, and the id_token's iss must equal it exactly.
func New(cfg Config) *oidc.Blueprint {
	origin := preset.BaseURL(cfg.Domain)
	iss, api := cfg.Issuer, cfg.APIBaseURL
	if iss == "" && origin != "" {
		iss = origin + "/"
	}
	if api == "" && origin != "" {
		api = origin + "/"
	}
	params := map[string]string{}
	oc := oidc.Config{Issuer: iss, DiscoveryURL: cfg.DiscoveryURL, APIBaseURL: api, AuthParams: params,
		IdentityFromClaims: Identity}
	if cfg.Audience != "" {
		params["audience"] = cfg.Audience
	}
	if org := cfg.Organization; org != "" {
		params["organization"] = org
		oc.CheckClaims = func(claims map[string]any) error { return checkOrganization(claims, org) }
	}
	p := preset.Provider{Name: "auth0", Env: "AUTH0", Scopes: []string{"profile", "email"}}
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	if cfg.Offline {
		app.Scopes = preset.AddScopes(app.Scopes, p.Scopes, "offline_access")
	}
	return app.OIDC(p, oc)
}

// checkOrganization compares an organization ID with org_id exactly, and
// a name with org_name ignoring case (Auth0 lowercases names).
func checkOrganization(claims map[string]any, org string) error {
	if strings.HasPrefix(org, "org_") {
		if got, _ := claims["org_id"].(string); got == org {
			return nil
		}
		return ErrOrganization
	}
	if got, _ := claims["org_name"].(string); got != "" && strings.EqualFold(got, org) {
		return nil
	}
	return ErrOrganization
}

// Identity maps Auth0's claims: the standard ones, with nickname as the
// username when there is no preferred_username (Auth0 sends nickname, the
// local part of the address for database users).
func Identity(claims map[string]any) *blueprint.Identity {
	id := oidc.IdentityFromClaims(claims)
	if pu, _ := claims["preferred_username"].(string); pu == "" {
		if nick, _ := claims["nickname"].(string); nick != "" {
			id.Username = nick
		}
	}
	return id
}
