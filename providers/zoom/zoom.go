package zoom

import (
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// Zoom's endpoints.
const (
	DefaultAuthURL       = "https://zoom.us/oauth/authorize"
	DefaultTokenURL      = "https://zoom.us/oauth/token"
	DefaultRevocationURL = "https://zoom.us/oauth/revoke"
	DefaultAPIBaseURL    = "https://api.zoom.us/v2/"
)

// Config configures the Zoom blueprint. Empty ClientID and ClientSecret
// are read from ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes; nil: none asked, so Zoom grants those configured on the app.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "zoom".
	Name string
	// AuthURL, TokenURL, RevocationURL and APIBaseURL override Zoom's
	// (tests, proxies).
	AuthURL, TokenURL, RevocationURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares; see
	// blueprint.Options.
	blueprint.Options
}

// New returns a blueprint for Zoom.
func New(cfg Config) *blueprint.Blueprint {
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	b := app.OAuth2(preset.Provider{Name: "zoom", Env: "ZOOM"}, blueprint.OAuth2Config{
		AuthURL:       preset.Or(cfg.AuthURL, DefaultAuthURL),
		TokenURL:      preset.Or(cfg.TokenURL, DefaultTokenURL),
		RevocationURL: preset.Or(cfg.RevocationURL, DefaultRevocationURL),
		APIBaseURL:    preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL),
		TokenAuth:     blueprint.ClientSecretBasic, // the only kind Zoom takes
	})
	b.IdentityGetter(Identity)
	return b
}

// Identity is the blueprint's identity function: users/me. Email counts
// as verified only when Zoom's verified field is 1.
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	var u map[string]any
	if err := cl.GetJSON("users/me", &u); err != nil {
		return nil, err
	}
	name := preset.Str(u, "display_name")
	if name == "" {
		name = preset.Str(u, "first_name") + " " + preset.Str(u, "last_name")
	}
	email := preset.Str(u, "email")
	return &blueprint.Identity{ID: preset.ID(u, "id"), Name: name, Email: email, EmailVerified: email != "" && preset.ID(u, "verified") == "1",
		AvatarURL: preset.Str(u, "pic_url"), Raw: u}, nil
}
