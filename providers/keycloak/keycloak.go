package keycloak

import (
	"strings"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
	"github.com/gindance/gindance/providers/oidc"
)

// Config configures the Keycloak blueprint. Empty ClientID and ClientSecret
// are read from KEYCLOAK_CLIENT_ID and KEYCLOAK_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes besides openid. Default: profile, email. Add "offline_access"
	// for an offline refresh token that outlives the SSO session.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "keycloak".
	Name string
	// BaseURL is the server's URL, e.g. "https://sso.example.com"
	// (Keycloak 17 and later), or "https://sso.example.com/auth" for the
	// legacy /auth context path.
	BaseURL string
	// Realm is the realm the client is registered in, e.g. "acme". The
	// issuer is BaseURL + "/realms/" + Realm.
	Realm string
	// UserInfo also fetches the userinfo endpoint (see oidc.Config), for
	// claims that a client scope maps to userinfo only.
	UserInfo bool

	// Issuer overrides the realm URL built from BaseURL and Realm;
	// DiscoveryURL and APIBaseURL override what follows from it. APIBaseURL
	// defaults to the realm URL, so that Client(c).Get("account") reaches
	// the account API.
	Issuer, DiscoveryURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// RealmURL returns the issuer of realm on the server at baseURL:
// baseURL/realms/realm.
func RealmURL(baseURL, realm string) string {
	if baseURL == "" || realm == "" {
		return ""
	}
	return strings.TrimSuffix(baseURL, "/") + "/realms/" + realm
}

// New returns an OpenID Connect blueprint for a Keycloak realm; its Claims method
// works on it. Refresh tokens, revocation and RP-initiated logout come from
// the realm's discovery document.
func New(cfg Config) *oidc.Blueprint {
	iss := preset.Or(cfg.Issuer, RealmURL(cfg.BaseURL, cfg.Realm))
	api := cfg.APIBaseURL
	if api == "" && iss != "" {
		api = iss + "/"
	}
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	return app.OIDC(preset.Provider{Name: "keycloak", Env: "KEYCLOAK", Scopes: []string{"profile", "email"}},
		oidc.Config{Issuer: iss, DiscoveryURL: cfg.DiscoveryURL, APIBaseURL: api, UserInfo: cfg.UserInfo})
}
