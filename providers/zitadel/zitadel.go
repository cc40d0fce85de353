package zitadel

import (
	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
	"github.com/gindance/gindance/providers/oidc"
)

// ClaimOrganizationID is the claim that names the user's organization,
// asserted for the urn:zitadel:iam:user:resourceowner scope (which
// Organization asks for); Identity.Raw holds it.
const ClaimOrganizationID = "urn:zitadel:iam:user:resourceowner:id"

// Config configures the ZITADEL blueprint. Empty ClientID and ClientSecret
// are read from ZITADEL_CLIENT_ID and ZITADEL_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes besides openid. Default: profile, email.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "zitadel".
	Name string
	// Domain is the instance's domain, e.g. "acme-x1y2z3.zitadel.cloud",
	// a custom domain, or a self-hosted server's.
	Domain string
	// Organization restricts the login to one organization by ID: the
	// scope urn:zitadel:iam:org:id:<Organization> makes ZITADEL show that
	// organization's login and refuse users of others, and
	// urn:zitadel:iam:user:resourceowner asks for the user's organization
	// claims (ClaimOrganizationID in Identity.Raw).
	Organization string
	// Offline asks for a refresh token (scope offline_access; the app's
	// grant types must include Refresh Token).
	Offline bool

	// Issuer overrides https://<Domain>; DiscoveryURL and APIBaseURL
	// override what follows from it (APIBaseURL defaults to
	// https://<Domain>/, for ZITADEL's APIs).
	Issuer, DiscoveryURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// New returns an OpenID Connect blueprint for a ZITADEL instance;
// its Claims method works. Identity merges the userinfo answer over the
// id_token's claims: ZITADEL leaves profile and email claims out of
// id_tokens unless the app enables "User Info inside ID Token".
func New(cfg Config) *oidc.Blueprint {
	origin := preset.BaseURL(cfg.Domain)
	api := cfg.APIBaseURL
	if api == "" && origin != "" {
		api = origin + "/"
	}
	oc := oidc.Config{Issuer: preset.Or(cfg.Issuer, origin), DiscoveryURL: cfg.DiscoveryURL, APIBaseURL: api, UserInfo: true}
	p := preset.Provider{Name: "zitadel", Env: "ZITADEL", Scopes: []string{"profile", "email"}}
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	var extra []string
	if cfg.Offline {
		extra = append(extra, "offline_access")
	}
	if org := cfg.Organization; org != "" {
		extra = append(extra, "urn:zitadel:iam:org:id:"+org, "urn:zitadel:iam:user:resourceowner")
	}
	if extra != nil {
		app.Scopes = preset.AddScopes(app.Scopes, p.Scopes, extra...)
	}
	return app.OIDC(p, oc)
}
