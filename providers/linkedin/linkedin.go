package linkedin

import (
	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
	"github.com/gindance/gindance/providers/oidc"
)

// Default endpoints of LinkedIn. The issuer is what LinkedIn's discovery
// document and id_tokens name (it changed from https://www.linkedin.com in
// 2024).
const (
	DefaultIssuer     = "https://www.linkedin.com/oauth"
	DefaultAPIBaseURL = "https://api.linkedin.com/v2/"
)

// Config configures the LinkedIn blueprint. Empty ClientID and ClientSecret
// are read from LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes besides openid. Default: profile, email (the scopes of the
	// "Sign In with LinkedIn using OpenID Connect" product).
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "linkedin".
	Name string

	// Issuer, DiscoveryURL and APIBaseURL override LinkedIn's (for tests).
	Issuer, DiscoveryURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// New returns an OpenID Connect blueprint for Sign In with LinkedIn using
// OpenID Connect; its Claims method works.
//
// LinkedIn departs from OpenID Connect in three ways the preset follows: the
// token endpoint takes the client secret in the body only
// (client_secret_post); it answers invalid_client to a code_verifier, so
// PKCE is off; and its id_tokens carry no nonce, so one is sent but not
// required back (a nonce that does come back must still match). The state
// parameter, single use and bound to the browser session, still protects
// the callback; see the repository's docs/providers.md, Limitations.
func New(cfg Config) *oidc.Blueprint {
	p := preset.Provider{Name: "linkedin", Env: "LINKEDIN", Scopes: []string{"profile", "email"}}
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	return app.OIDC(p, oidc.Config{Issuer: preset.Or(cfg.Issuer, DefaultIssuer), DiscoveryURL: cfg.DiscoveryURL,
		APIBaseURL: preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL), TokenAuth: blueprint.ClientSecretPost,
		InsecureSkipPKCE: true, InsecureAllowMissingNonce: true})
}
