package twitter

import (
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// Default endpoints of Twitter's OAuth 1.0a API.
const (
	DefaultRequestTokenURL = "https://api.twitter.com/oauth/request_token"
	DefaultAuthorizeURL    = "https://api.twitter.com/oauth/authenticate"
	DefaultAccessTokenURL  = "https://api.twitter.com/oauth/access_token"
	DefaultAPIBaseURL      = "https://api.twitter.com/1.1/"
)

// Config configures the Twitter blueprint. ClientID and ClientSecret are
// the app's API key and API key secret (OAuth 1.0a consumer key and
// secret); empty, they are read from TWITTER_CLIENT_ID and
// TWITTER_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Name is the blueprint's name and mount segment. Default "twitter".
	Name string
	// IncludeEmail asks verify_credentials for the email address (the app
	// needs the email permission).
	IncludeEmail bool
	// RequestTokenURL, AuthorizeURL, AccessTokenURL and APIBaseURL
	// override Twitter's (for tests and proxies).
	RequestTokenURL, AuthorizeURL, AccessTokenURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// New returns an OAuth 1.0a blueprint for Twitter ("Sign in with
// Twitter": request token, authenticate, access token).
func New(cfg Config) *blueprint.Blueprint {
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	b := app.OAuth1(preset.Provider{Name: "twitter", Env: "TWITTER"}, blueprint.OAuth1Config{
		RequestTokenURL: preset.Or(cfg.RequestTokenURL, DefaultRequestTokenURL),
		AuthorizeURL:    preset.Or(cfg.AuthorizeURL, DefaultAuthorizeURL),
		AccessTokenURL:  preset.Or(cfg.AccessTokenURL, DefaultAccessTokenURL),
		APIBaseURL:      preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL),
	})
	path := "account/verify_credentials.json"
	if cfg.IncludeEmail {
		path += "?include_email=true"
	}
	b.IdentityGetter(func(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
		return identity(cl, path)
	})
	return b
}

// identity maps account/verify_credentials.json. Twitter returns only a
// verified email address, so EmailVerified is true when Email is set.
func identity(cl *blueprint.Client, path string) (*blueprint.Identity, error) {
	var u map[string]any
	if err := cl.GetJSON(path, &u); err != nil {
		return nil, err
	}
	s := func(k string) string { v, _ := u[k].(string); return v }
	id := &blueprint.Identity{ID: s("id_str"), Username: s("screen_name"), Name: s("name"),
		Email: s("email"), AvatarURL: s("profile_image_url_https"), Raw: u}
	id.EmailVerified = id.Email != ""
	return id, nil
}
