package okta

import (
	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
	"github.com/gindance/gindance/providers/oidc"
)

// DefaultAuthorizationServer is the custom authorization server every Okta
// org has.
const DefaultAuthorizationServer = "default"

// Config configures the Okta blueprint. Empty ClientID and ClientSecret are
// read from OKTA_CLIENT_ID and OKTA_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes besides openid. Default: profile, email.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "okta".
	Name string
	// Domain is the Okta org's domain (or a custom domain), e.g.
	// "dev-123456.okta.com".
	Domain string
	// AuthorizationServer is the ID of the custom authorization server
	// whose tokens the app wants, e.g. "aus1a2b3c". Empty:
	// DefaultAuthorizationServer. The issuer is
	// https://<Domain>/oauth2/<AuthorizationServer>.
	AuthorizationServer string
	// OrgAuthorizationServer uses the org authorization server instead
	// (issuer https://<Domain>), whose access tokens are for Okta's own
	// APIs only.
	OrgAuthorizationServer bool
	// Offline asks for a refresh token (scope offline_access; the app's
	// grant types must include Refresh Token).
	Offline bool

	// Issuer overrides the issuer built from Domain; DiscoveryURL and
	// APIBaseURL override what follows from it (APIBaseURL defaults to
	// https://<Domain>/, for /api/v1/users/me).
	Issuer, DiscoveryURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// Issuer returns the issuer of an Okta authorization server: the org's
// (https://<domain>) when authServer is "", else
// https://<domain>/oauth2/<authServer>.
func Issuer(domain, authServer string) string {
	origin := preset.BaseURL(domain)
	if origin == "" || authServer == "" {
		return origin
	}
	return origin + "/oauth2/" + authServer
}

// New returns an OpenID Connect blueprint for Okta; its Claims method works.
// Identity merges the userinfo answer over the id_token's claims: an
// Okta id_token issued next to an access token may leave profile claims
// out.
func New(cfg Config) *oidc.Blueprint {
	as := preset.Or(cfg.AuthorizationServer, DefaultAuthorizationServer)
	if cfg.OrgAuthorizationServer {
		as = ""
	}
	iss := preset.Or(cfg.Issuer, Issuer(cfg.Domain, as))
	api := cfg.APIBaseURL
	if api == "" && cfg.Domain != "" {
		api = preset.BaseURL(cfg.Domain) + "/"
	}
	p := preset.Provider{Name: "okta", Env: "OKTA", Scopes: []string{"profile", "email"}}
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	if cfg.Offline {
		app.Scopes = preset.AddScopes(app.Scopes, p.Scopes, "offline_access")
	}
	return app.OIDC(p,
		oidc.Config{Issuer: iss, DiscoveryURL: cfg.DiscoveryURL, APIBaseURL: api, UserInfo: true})
}
