package atlassian

import (
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// Atlassian's endpoints and audience.
const (
	DefaultAuthURL    = "https://auth.atlassian.com/authorize"
	DefaultTokenURL   = "https://auth.atlassian.com/oauth/token"
	DefaultAPIBaseURL = "https://api.atlassian.com/"
	Audience          = "api.atlassian.com"
)

// Config configures the Atlassian blueprint. Empty ClientID and
// ClientSecret are read from ATLASSIAN_CLIENT_ID and
// ATLASSIAN_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes; nil: "read:me", "offline_access" (identity and a refresh
	// token). Add the product scopes (e.g. "read:jira-work").
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "atlassian".
	Name string
	// AuthURL, TokenURL and APIBaseURL override Atlassian's (tests,
	// proxies).
	AuthURL, TokenURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares; see
	// blueprint.Options.
	blueprint.Options
}

// New returns a blueprint for Atlassian Cloud.
func New(cfg Config) *blueprint.Blueprint {
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	b := app.OAuth2(preset.Provider{Name: "atlassian", Env: "ATLASSIAN", Scopes: []string{"read:me", "offline_access"}}, blueprint.OAuth2Config{
		AuthURL:    preset.Or(cfg.AuthURL, DefaultAuthURL),
		TokenURL:   preset.Or(cfg.TokenURL, DefaultTokenURL),
		APIBaseURL: preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL),
		// Atlassian refuses an authorization without the audience, and
		// documents prompt=consent as required.
		AuthParams: map[string]string{"audience": Audience, "prompt": "consent"},
		// Its token endpoint reads client_id and client_secret from the
		// body.
		TokenAuth: blueprint.ClientSecretPost,
	})
	b.IdentityGetter(Identity)
	return b
}

// Identity is the blueprint's identity function: me (the User identity
// API, scope read:me). Email counts as verified only with email_verified.
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	var u map[string]any
	if err := cl.GetJSON("me", &u); err != nil {
		return nil, err
	}
	email := preset.Str(u, "email")
	return &blueprint.Identity{ID: preset.Str(u, "account_id"), Username: preset.Str(u, "nickname"), Name: preset.Str(u, "name"),
		Email: email, EmailVerified: email != "" && preset.Bool(u, "email_verified"), AvatarURL: preset.Str(u, "picture"), Raw: u}, nil
}

// Resource is a site the user granted the app access to: its cloud ID
// addresses the product APIs (ex/jira/<ID>/..., ex/confluence/<ID>/...).
type Resource struct {
	ID        string   `json:"id"`
	URL       string   `json:"url"`
	Name      string   `json:"name"`
	Scopes    []string `json:"scopes"`
	AvatarURL string   `json:"avatarUrl"`
}

// AccessibleResources lists the sites the user's token may access
// (oauth/token/accessible-resources).
func AccessibleResources(cl *blueprint.Client) ([]Resource, error) {
	var rs []Resource
	if err := cl.GetJSON("oauth/token/accessible-resources", &rs); err != nil {
		return nil, err
	}
	return rs, nil
}
