package gitlab

import (
	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
	"github.com/gindance/gindance/providers/oidc"
)

// DefaultHost is GitLab.com's.
const DefaultHost = "gitlab.com"

// Config configures the GitLab blueprint. Empty ClientID and ClientSecret
// are read from GITLAB_CLIENT_ID and GITLAB_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes besides openid. Default: profile, email. Add "read_user" or
	// "api" to call GitLab's REST API with the token.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "gitlab".
	Name string
	// Host selects a self-managed GitLab by host name or base URL, e.g.
	// "gitlab.example.com" or "https://example.com/gitlab" (a relative URL
	// root). Empty: DefaultHost.
	Host string

	// Issuer overrides the issuer (https://<Host>); DiscoveryURL and
	// APIBaseURL override what follows from it (APIBaseURL defaults to
	// https://<Host>/api/v4/).
	Issuer, DiscoveryURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// New returns an OpenID Connect blueprint for GitLab.com or a self-managed
// GitLab; its Claims method works. Identity merges the userinfo answer
// (which alone has groups) over the id_token's claims.
func New(cfg Config) *oidc.Blueprint {
	origin := preset.BaseURL(preset.Or(cfg.Host, DefaultHost))
	p := preset.Provider{Name: "gitlab", Env: "GITLAB", Scopes: []string{"profile", "email"}}
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	return app.OIDC(p, oidc.Config{Issuer: preset.Or(cfg.Issuer, origin), DiscoveryURL: cfg.DiscoveryURL,
		APIBaseURL: preset.Or(cfg.APIBaseURL, origin+"/api/v4/"), UserInfo: true, IdentityFromClaims: Identity})
}

// Identity maps GitLab's claims: the standard ones, with nickname (the
// GitLab username) when preferred_username is missing.
func Identity(claims map[string]any) *blueprint.Identity {
	id := oidc.IdentityFromClaims(claims)
	if pu, _ := claims["preferred_username"].(string); pu == "" {
		if nick, _ := claims["nickname"].(string); nick != "" {
			id.Username = nick
		}
	}
	return id
}
