package spotify

import (
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// Spotify's endpoints.
const (
	DefaultAuthURL    = "https://accounts.spotify.com/authorize"
	DefaultTokenURL   = "https://accounts.spotify.com/api/token"
	DefaultAPIBaseURL = "https://api.spotify.com/v1/"
)

// Config configures the Spotify blueprint. Empty ClientID and ClientSecret
// are read from SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes; nil: "user-read-email", "user-read-private".
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "spotify".
	Name string
	// AuthURL, TokenURL and APIBaseURL override Spotify's (tests, proxies).
	AuthURL, TokenURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares; see
	// blueprint.Options.
	blueprint.Options
}

// New returns a blueprint for Spotify.
func New(cfg Config) *blueprint.Blueprint {
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	b := app.OAuth2(preset.Provider{Name: "spotify", Env: "SPOTIFY", Scopes: []string{"user-read-email", "user-read-private"}}, blueprint.OAuth2Config{
		AuthURL:    preset.Or(cfg.AuthURL, DefaultAuthURL),
		TokenURL:   preset.Or(cfg.TokenURL, DefaultTokenURL),
		APIBaseURL: preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL),
	})
	b.IdentityGetter(Identity)
	return b
}

// Identity is the blueprint's identity function: me. The user ID is also
// the Username (Spotify has no other handle); the email is never reported
// verified.
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	var u map[string]any
	if err := cl.GetJSON("me", &u); err != nil {
		return nil, err
	}
	id := &blueprint.Identity{ID: preset.Str(u, "id"), Username: preset.Str(u, "id"), Name: preset.Str(u, "display_name"),
		Email: preset.Str(u, "email"), Raw: u}
	if imgs, _ := u["images"].([]any); len(imgs) > 0 {
		img, _ := imgs[0].(map[string]any)
		id.AvatarURL = preset.Str(img, "url")
	}
	return id, nil
}
