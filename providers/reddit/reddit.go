package reddit

import (
	"html"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// Reddit's endpoints.
const (
	DefaultAuthURL       = "https://www.reddit.com/api/v1/authorize"
	DefaultTokenURL      = "https://www.reddit.com/api/v1/access_token"
	DefaultRevocationURL = "https://www.reddit.com/api/v1/revoke_token"
	DefaultAPIBaseURL    = "https://oauth.reddit.com/"
)

// Config configures the Reddit blueprint. Empty ClientID and ClientSecret
// are read from REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes; nil: "identity".
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "reddit".
	Name string
	// UserAgent is sent with every request to Reddit, in Reddit's form
	// "<platform>:<app ID>:<version> (by /u/<username>)". Empty:
	// "web:<client ID>:gindance (Go)", which identifies the app but not
	// its author; Reddit's rules ask for both.
	UserAgent string
	// Temporary asks for a one-hour grant without a refresh token
	// (duration=temporary) instead of a permanent one.
	Temporary bool
	// AuthURL, TokenURL, RevocationURL and APIBaseURL override Reddit's
	// (tests, proxies).
	AuthURL, TokenURL, RevocationURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares; see
	// blueprint.Options.
	blueprint.Options
}

var provider = preset.Provider{Name: "reddit", Env: "REDDIT", Scopes: []string{"identity"}}

// New returns a blueprint for Reddit.
func New(cfg Config) *blueprint.Blueprint {
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	ua := preset.Or(cfg.UserAgent, "web:"+app.Resolved(provider).ClientID+":gindance (Go)")
	app.Options.HTTPClient = preset.WrapTransport(cfg.HTTPClient, func(base http.RoundTripper) http.RoundTripper {
		return preset.RoundTripFunc(func(req *http.Request) (*http.Response, error) {
			req = req.Clone(req.Context())
			req.Header.Set("User-Agent", ua)
			return base.RoundTrip(req)
		})
	})
	duration := "permanent"
	if cfg.Temporary {
		duration = "temporary"
	}
	b := app.OAuth2(provider, blueprint.OAuth2Config{
		AuthURL:       preset.Or(cfg.AuthURL, DefaultAuthURL),
		TokenURL:      preset.Or(cfg.TokenURL, DefaultTokenURL),
		RevocationURL: preset.Or(cfg.RevocationURL, DefaultRevocationURL),
		APIBaseURL:    preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL),
		AuthParams:    map[string]string{"duration": duration},
		// Reddit's token and revocation endpoints take the client's
		// credentials in HTTP Basic only (the default, stated for clarity).
		TokenAuth: blueprint.ClientSecretBasic,
	})
	b.IdentityGetter(Identity)
	return b
}

// Identity is the blueprint's identity function: api/v1/me. ID is the
// account's base-36 id (prefix "t2_" for the fullname); Reddit shares no
// email. icon_img comes HTML-escaped and is unescaped.
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	var u map[string]any
	if err := cl.GetJSON("api/v1/me", &u); err != nil {
		return nil, err
	}
	return &blueprint.Identity{ID: preset.Str(u, "id"), Username: preset.Str(u, "name"), Name: preset.Str(u, "subreddit", "title"),
		AvatarURL: html.UnescapeString(preset.Str(u, "icon_img")), Raw: u}, nil
}
