package digitalocean

import (
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// DigitalOcean's endpoints.
const (
	DefaultAuthURL    = "https://cloud.digitalocean.com/v1/oauth/authorize"
	DefaultTokenURL   = "https://cloud.digitalocean.com/v1/oauth/token"
	DefaultAPIBaseURL = "https://api.digitalocean.com/v2/"
)

// Config configures the DigitalOcean blueprint. Empty ClientID and
// ClientSecret are read from DIGITALOCEAN_CLIENT_ID and
// DIGITALOCEAN_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes; nil: "read".
	Scopes []string
	// Name is the blueprint's name and mount segment. Default
	// "digitalocean".
	Name string
	// AuthURL, TokenURL and APIBaseURL override DigitalOcean's (tests,
	// proxies).
	AuthURL, TokenURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares; see
	// blueprint.Options.
	blueprint.Options
}

// New returns a blueprint for DigitalOcean.
func New(cfg Config) *blueprint.Blueprint {
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	b := app.OAuth2(preset.Provider{Name: "digitalocean", Env: "DIGITALOCEAN", Scopes: []string{"read"}}, blueprint.OAuth2Config{
		AuthURL:    preset.Or(cfg.AuthURL, DefaultAuthURL),
		TokenURL:   preset.Or(cfg.TokenURL, DefaultTokenURL),
		APIBaseURL: preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL),
		// DigitalOcean's token endpoint reads client_id and client_secret
		// as parameters.
		TokenAuth: blueprint.ClientSecretPost,
	})
	b.IdentityGetter(Identity)
	return b
}

// Identity is the blueprint's identity function: account (uuid, email
// verified by email_verified); Name is the token response's info.name
// when present, since the account object has none.
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	var acct struct {
		Account map[string]any `json:"account"`
	}
	if err := cl.GetJSON("account", &acct); err != nil {
		return nil, err
	}
	tok, err := cl.Token()
	if err != nil {
		return nil, err
	}
	a := acct.Account
	info, _ := tok.Extra["info"].(map[string]any)
	email := preset.Str(a, "email")
	return &blueprint.Identity{ID: preset.Str(a, "uuid"), Name: preset.Or(preset.Str(a, "name"), preset.Str(info, "name")),
		Email: email, EmailVerified: email != "" && preset.Bool(a, "email_verified"), Raw: a}, nil
}
