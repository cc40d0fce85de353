package discord

import (
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// Discord's endpoints and issuer.
const (
	DefaultAuthURL       = "https://discord.com/oauth2/authorize"
	DefaultTokenURL      = "https://discord.com/api/oauth2/token"
	DefaultRevocationURL = "https://discord.com/api/oauth2/token/revoke"
	DefaultAPIBaseURL    = "https://discord.com/api/v10/"
	DefaultIssuer        = "https://discord.com"
	// AvatarBaseURL is where users/@me's avatar hashes are served.
	AvatarBaseURL = "https://cdn.discordapp.com/avatars/"
)

// Config configures the Discord blueprint. Empty ClientID and ClientSecret
// are read from DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes; nil: "identify", "email".
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "discord".
	Name string
	// AuthURL, TokenURL, RevocationURL, APIBaseURL and Issuer override
	// Discord's (tests, proxies).
	AuthURL, TokenURL, RevocationURL, APIBaseURL, Issuer string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares; see
	// blueprint.Options.
	blueprint.Options
}

// New returns a blueprint for Discord.
func New(cfg Config) *blueprint.Blueprint {
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	b := app.OAuth2(preset.Provider{Name: "discord", Env: "DISCORD", Scopes: []string{"identify", "email"}}, blueprint.OAuth2Config{
		AuthURL:       preset.Or(cfg.AuthURL, DefaultAuthURL),
		TokenURL:      preset.Or(cfg.TokenURL, DefaultTokenURL),
		RevocationURL: preset.Or(cfg.RevocationURL, DefaultRevocationURL),
		APIBaseURL:    preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL),
		Issuer:        preset.Or(cfg.Issuer, DefaultIssuer),
	})
	b.IdentityGetter(Identity)
	return b
}

// Identity is the blueprint's identity function: users/@me. Name is the
// display name (global_name), Email counts as verified only with
// verified: true, and AvatarURL is built from the avatar hash.
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	var u map[string]any
	if err := cl.GetJSON("users/@me", &u); err != nil {
		return nil, err
	}
	id := &blueprint.Identity{ID: preset.ID(u, "id"), Username: preset.Str(u, "username"), Name: preset.Str(u, "global_name"),
		Email: preset.Str(u, "email"), EmailVerified: preset.Bool(u, "verified") && preset.Str(u, "email") != "", Raw: u}
	if h := preset.Str(u, "avatar"); h != "" && id.ID != "" {
		id.AvatarURL = AvatarBaseURL + id.ID + "/" + h + ".png"
	}
	return id, nil
}
