package authentik

import (
	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
	"github.com/gindance/gindance/providers/oidc"
)

// Config configures the authentik blueprint. Empty ClientID and
// ClientSecret are read from AUTHENTIK_CLIENT_ID and AUTHENTIK_CLIENT_SECRET
// when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes besides openid. Default: profile, email.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "authentik".
	Name string
	// BaseURL is the authentik server, e.g. "https://auth.example.com".
	BaseURL string
	// Slug is the application's slug. authentik gives every application
	// an issuer of its own: BaseURL/application/o/<Slug>/.
	Slug string
	// Offline asks for a refresh token (scope offline_access, which the
	// provider's scope mappings must include).
	Offline bool

	// Issuer overrides the application's issuer built from BaseURL and
	// Slug; DiscoveryURL and APIBaseURL override what follows from it
	// (APIBaseURL defaults to BaseURL/, for authentik's API).
	Issuer, DiscoveryURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// Issuer returns the issuer of the application slug on the server at
// baseURL: baseURL/application/o/<slug>/, with authentik's trailing slash.
func Issuer(baseURL, slug string) string {
	origin := preset.BaseURL(baseURL)
	if origin == "" || slug == "" {
		return ""
	}
	return origin + "/application/o/" + slug + "/"
}

// New returns an OpenID Connect blueprint for one authentik application;
// its Claims method works.
func New(cfg Config) *oidc.Blueprint {
	api := cfg.APIBaseURL
	if api == "" && cfg.BaseURL != "" {
		api = preset.BaseURL(cfg.BaseURL) + "/"
	}
	p := preset.Provider{Name: "authentik", Env: "AUTHENTIK", Scopes: []string{"profile", "email"}}
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	if cfg.Offline {
		app.Scopes = preset.AddScopes(app.Scopes, p.Scopes, "offline_access")
	}
	return app.OIDC(p, oidc.Config{Issuer: preset.Or(cfg.Issuer, Issuer(cfg.BaseURL, cfg.Slug)), DiscoveryURL: cfg.DiscoveryURL, APIBaseURL: api})
}
