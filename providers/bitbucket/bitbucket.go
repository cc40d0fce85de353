package bitbucket

import (
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// Bitbucket Cloud's endpoints.
const (
	DefaultAuthURL    = "https://bitbucket.org/site/oauth2/authorize"
	DefaultTokenURL   = "https://bitbucket.org/site/oauth2/access_token"
	DefaultAPIBaseURL = "https://api.bitbucket.org/2.0/"
)

// Config configures the Bitbucket blueprint. Empty ClientID and
// ClientSecret (the consumer's key and secret) are read from
// BITBUCKET_CLIENT_ID and BITBUCKET_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes; nil: "account", "email". Without "email" Identity has no
	// address.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "bitbucket".
	Name string
	// AuthURL, TokenURL and APIBaseURL override Bitbucket's (tests,
	// proxies).
	AuthURL, TokenURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares; see
	// blueprint.Options.
	blueprint.Options
}

// New returns a blueprint for Bitbucket Cloud.
func New(cfg Config) *blueprint.Blueprint {
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	b := app.OAuth2(preset.Provider{Name: "bitbucket", Env: "BITBUCKET", Scopes: []string{"account", "email"}}, blueprint.OAuth2Config{
		AuthURL:    preset.Or(cfg.AuthURL, DefaultAuthURL),
		TokenURL:   preset.Or(cfg.TokenURL, DefaultTokenURL),
		APIBaseURL: preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL),
	})
	b.IdentityGetter(Identity)
	return b
}

// Identity is the blueprint's identity function: user (uuid, nickname,
// display name, avatar) and, with the email scope, the primary confirmed
// address of user/emails.
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	var u map[string]any
	if err := cl.GetJSON("user", &u); err != nil {
		return nil, err
	}
	id := &blueprint.Identity{ID: preset.Str(u, "uuid"), Username: preset.Or(preset.Str(u, "nickname"), preset.Str(u, "username")),
		Name: preset.Str(u, "display_name"), AvatarURL: preset.Str(u, "links", "avatar", "href"), Raw: u}
	tok, err := cl.Token()
	if err != nil {
		return nil, err
	}
	if !slices.Contains(tok.Scopes, "email") {
		return id, nil
	}
	var emails struct {
		Values []struct {
			Email       string `json:"email"`
			IsPrimary   bool   `json:"is_primary"`
			IsConfirmed bool   `json:"is_confirmed"`
		} `json:"values"`
	}
	if err := cl.GetJSON("user/emails", &emails); err != nil {
		return nil, err
	}
	for _, e := range emails.Values {
		if e.IsPrimary && e.IsConfirmed {
			id.Email, id.EmailVerified = e.Email, true
		}
	}
	return id, nil
}
