package salesforce

import (
	"strings"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
	"github.com/gindance/gindance/providers/oidc"
)

// Login hosts of Salesforce: production orgs and sandboxes.
const (
	ProductionIssuer = "https://login.salesforce.com"
	SandboxIssuer    = "https://test.salesforce.com"
)

// Config configures the Salesforce blueprint. Empty ClientID and
// ClientSecret (the connected app's consumer key and secret) are read from
// SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes besides openid. Default: profile, email, api (REST API
	// calls). Offline adds refresh_token.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default
	// "salesforce".
	Name string
	// MyDomain logs in through the org's My Domain: "acme" (for
	// https://acme.my.salesforce.com) or its full host name, e.g.
	// "acme--dev.sandbox.my.salesforce.com". The My Domain URL is also
	// the default APIBaseURL, since it is the org's instance URL.
	MyDomain string
	// Sandbox logs in at test.salesforce.com (without MyDomain).
	Sandbox bool
	// Offline asks for a refresh token (scope refresh_token, which the
	// connected app's OAuth scopes must include).
	Offline bool

	// Issuer overrides the login host chosen by MyDomain and Sandbox;
	// DiscoveryURL overrides what follows from it.
	Issuer, DiscoveryURL string
	// APIBaseURL is where Client's relative paths resolve, e.g.
	// "https://acme.my.salesforce.com/services/data/v61.0/". Default: the
	// My Domain URL; without MyDomain there is none, since each org's
	// instance differs (InstanceURL returns the one of a token).
	APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// Issuer returns the login host for a My Domain (name or host), or for
// production or sandbox orgs without one.
func Issuer(myDomain string, sandbox bool) string {
	switch {
	case myDomain != "" && strings.Contains(myDomain, "."):
		return preset.BaseURL(myDomain)
	case myDomain != "":
		return "https://" + myDomain + ".my.salesforce.com"
	case sandbox:
		return SandboxIssuer
	}
	return ProductionIssuer
}

// InstanceURL returns the instance_url of tok's token response: the base
// URL of the user's org for REST API calls, e.g.
// "https://acme.my.salesforce.com". "" when the response had none.
func InstanceURL(tok *blueprint.Token) string {
	if tok == nil {
		return ""
	}
	s, _ := tok.Extra["instance_url"].(string)
	return s
}

// New returns an OpenID Connect blueprint for Salesforce; its Claims method
// works on it. Identity merges the userinfo answer over the id_token's
// claims. The token response's instance_url, id (the identity URL),
// issued_at and signature are kept in Token.Extra.
func New(cfg Config) *oidc.Blueprint {
	iss := preset.Or(cfg.Issuer, Issuer(cfg.MyDomain, cfg.Sandbox))
	api := cfg.APIBaseURL
	if api == "" && cfg.MyDomain != "" {
		api = Issuer(cfg.MyDomain, false) + "/"
	}
	p := preset.Provider{Name: "salesforce", Env: "SALESFORCE", Scopes: []string{"profile", "email", "api"}}
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	if cfg.Offline {
		app.Scopes = preset.AddScopes(app.Scopes, p.Scopes, "refresh_token")
	}
	return app.OIDC(p, oidc.Config{Issuer: iss, DiscoveryURL: cfg.DiscoveryURL, APIBaseURL: api, UserInfo: true})
}
