package dex

import (
	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
	"github.com/gindance/gindance/providers/oidc"
)

// Config configures the Dex blueprint. Empty ClientID and ClientSecret are
// read from DEX_CLIENT_ID and DEX_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes besides openid. Default: profile, email.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "dex".
	Name string
	// Issuer is Dex's issuer as set in its configuration, e.g.
	// "https://dex.example.com/dex". Required.
	Issuer string
	// Offline asks for a refresh token (scope offline_access).
	Offline bool
	// Groups asks for the groups claim (scope groups), filled by
	// connectors that know groups (LDAP, GitHub teams, ...).
	Groups bool
	// FederatedID asks for the federated_claims claim (scope
	// federated:id): the upstream connector_id and user_id behind Dex's
	// opaque sub.
	FederatedID bool
	// Connector skips Dex's connector chooser: the login goes straight to
	// the connector with this ID (connector_id).
	Connector string

	// DiscoveryURL and APIBaseURL override what follows from Issuer.
	DiscoveryURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// New returns an OpenID Connect blueprint for a Dex server; its Claims method
// works on it.
func New(cfg Config) *oidc.Blueprint {
	p := preset.Provider{Name: "dex", Env: "DEX", Scopes: []string{"profile", "email"}}
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	var extra []string
	for _, opt := range []struct {
		on    bool
		scope string
	}{{cfg.Offline, "offline_access"}, {cfg.Groups, "groups"}, {cfg.FederatedID, "federated:id"}} {
		if opt.on {
			extra = append(extra, opt.scope)
		}
	}
	if extra != nil {
		app.Scopes = preset.AddScopes(app.Scopes, p.Scopes, extra...)
	}
	var params map[string]string
	if cfg.Connector != "" {
		params = map[string]string{"connector_id": cfg.Connector}
	}
	return app.OIDC(p, oidc.Config{Issuer: cfg.Issuer, DiscoveryURL: cfg.DiscoveryURL, APIBaseURL: cfg.APIBaseURL, AuthParams: params})
}
