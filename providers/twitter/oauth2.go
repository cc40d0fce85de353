package twitter

import (
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// X's OAuth 2.0 endpoints. DefaultOAuth2AuthURL may also be
// https://twitter.com/i/oauth2/authorize, which X redirects to x.com.
const (
	DefaultOAuth2AuthURL       = "https://x.com/i/oauth2/authorize"
	DefaultOAuth2TokenURL      = "https://api.x.com/2/oauth2/token"
	DefaultOAuth2RevocationURL = "https://api.x.com/2/oauth2/revoke"
	DefaultOAuth2APIBaseURL    = "https://api.x.com/2/"
)

// OAuth2Config configures the OAuth 2.0 Twitter/X blueprint. Empty
// ClientID and ClientSecret are read from TWITTER_OAUTH2_CLIENT_ID and
// TWITTER_OAUTH2_CLIENT_SECRET when NewOAuth2 runs.
type OAuth2Config struct {
	ClientID, ClientSecret string
	// Scopes; nil: "tweet.read", "users.read", "offline.access" (users/me
	// needs the first two; the last brings a refresh token). Add
	// "users.email" for the address.
	Scopes []string
	// PublicClient is for apps registered as native or single-page apps:
	// no client secret, the client_id sent in the token request body, and
	// PKCE as the only protection of the code; set LoginCookieKey or
	// PendingLoginsInSession with it (there is no secret to derive the
	// pending-login key from). Otherwise the client
	// authenticates with HTTP Basic, as X requires of confidential clients.
	PublicClient bool
	// Name is the blueprint's name and mount segment. Default "twitter".
	Name string
	// AuthURL, TokenURL, RevocationURL and APIBaseURL override X's (tests,
	// proxies).
	AuthURL, TokenURL, RevocationURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares; see
	// blueprint.Options.
	blueprint.Options
}

// NewOAuth2 returns an OAuth 2.0 (authorization code with PKCE) blueprint
// for X, next to New's OAuth 1.0a one.
func NewOAuth2(cfg OAuth2Config) *blueprint.Blueprint {
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	auth := blueprint.ClientSecretBasic
	if cfg.PublicClient {
		// Public clients identify themselves with client_id in the body.
		auth = blueprint.ClientSecretPost
	}
	b := app.OAuth2(preset.Provider{Name: "twitter", Env: "TWITTER_OAUTH2", Scopes: []string{"tweet.read", "users.read", "offline.access"},
		PublicClient: cfg.PublicClient}, blueprint.OAuth2Config{
		AuthURL:       preset.Or(cfg.AuthURL, DefaultOAuth2AuthURL),
		TokenURL:      preset.Or(cfg.TokenURL, DefaultOAuth2TokenURL),
		RevocationURL: preset.Or(cfg.RevocationURL, DefaultOAuth2RevocationURL),
		APIBaseURL:    preset.Or(cfg.APIBaseURL, DefaultOAuth2APIBaseURL),
		TokenAuth:     auth,
	})
	b.IdentityGetter(IdentityOAuth2)
	return b
}

// IdentityOAuth2 is the OAuth 2.0 blueprint's identity function: users/me
// with the profile image, and with the users.email scope the
// confirmed_email, which X reports only once confirmed.
func IdentityOAuth2(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	tok, err := cl.Token()
	if err != nil {
		return nil, err
	}
	fields := "profile_image_url"
	if slices.Contains(tok.Scopes, "users.email") {
		fields += ",confirmed_email"
	}
	var me struct {
		Data map[string]any `json:"data"`
	}
	if err := cl.GetJSON("users/me?user.fields="+fields, &me); err != nil {
		return nil, err
	}
	u := me.Data
	id := &blueprint.Identity{ID: preset.ID(u, "id"), Username: preset.Str(u, "username"), Name: preset.Str(u, "name"),
		Email: preset.Str(u, "confirmed_email"), AvatarURL: preset.Str(u, "profile_image_url"), Raw: u}
	id.EmailVerified = id.Email != ""
	return id, nil
}
