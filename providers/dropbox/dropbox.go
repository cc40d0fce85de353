package dropbox

import (
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// Dropbox's endpoints.
const (
	DefaultAuthURL    = "https://www.dropbox.com/oauth2/authorize"
	DefaultTokenURL   = "https://api.dropboxapi.com/oauth2/token"
	DefaultAPIBaseURL = "https://api.dropboxapi.com/2/"
	// ContentOrigin serves file uploads and downloads; it is allowed as
	// a further API host.
	ContentOrigin = "https://content.dropboxapi.com"
)

// Config configures the Dropbox blueprint. Empty ClientID (App key) and
// ClientSecret (App secret) are read from DROPBOX_CLIENT_ID and
// DROPBOX_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes; nil: "account_info.read". An explicit empty list asks for
	// every permission the app has.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "dropbox".
	Name string
	// Online asks for a short-lived access token only, without a refresh
	// token (token_access_type=online).
	Online bool
	// AuthURL, TokenURL and APIBaseURL override Dropbox's (tests,
	// proxies).
	AuthURL, TokenURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares; see
	// blueprint.Options.
	blueprint.Options
}

// New returns a blueprint for Dropbox.
func New(cfg Config) *blueprint.Blueprint {
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	if cfg.APIBaseURL == "" {
		app.Options.AllowedHosts = append(append([]string(nil), cfg.AllowedHosts...), ContentOrigin)
	}
	access := "offline"
	if cfg.Online {
		access = "online"
	}
	b := app.OAuth2(preset.Provider{Name: "dropbox", Env: "DROPBOX", Scopes: []string{"account_info.read"}}, blueprint.OAuth2Config{
		AuthURL:    preset.Or(cfg.AuthURL, DefaultAuthURL),
		TokenURL:   preset.Or(cfg.TokenURL, DefaultTokenURL),
		APIBaseURL: preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL),
		AuthParams: map[string]string{"token_access_type": access},
	})
	b.IdentityGetter(Identity)
	return b
}

// Identity is the blueprint's identity function: POST
// users/get_current_account with the JSON body null (the call takes no
// arguments, and Dropbox refuses an empty JSON body). The email counts as
// verified only with email_verified.
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	var u map[string]any
	if err := preset.PostJSON(cl, "users/get_current_account", "null", &u); err != nil {
		return nil, err
	}
	email := preset.Str(u, "email")
	return &blueprint.Identity{ID: preset.Str(u, "account_id"), Name: preset.Str(u, "name", "display_name"),
		Email: email, EmailVerified: email != "" && preset.Bool(u, "email_verified"),
		AvatarURL: preset.Str(u, "profile_photo_url"), Raw: u}, nil
}
