package heroku

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// Heroku's endpoints and the Platform API's media type.
const (
	DefaultAuthURL    = "https://id.heroku.com/oauth/authorize"
	DefaultTokenURL   = "https://id.heroku.com/oauth/token"
	DefaultAPIBaseURL = "https://api.heroku.com/"
	// APIAccept selects version 3 of the Platform API, which Heroku asks
	// every call to name.
	APIAccept = "application/vnd.heroku+json; version=3"
)

// Config configures the Heroku blueprint. Empty ClientID and ClientSecret
// are read from HEROKU_CLIENT_ID and HEROKU_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes; nil: "identity".
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "heroku".
	Name string
	// AuthURL, TokenURL and APIBaseURL override Heroku's (tests, proxies).
	AuthURL, TokenURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares; see
	// blueprint.Options.
	blueprint.Options
}

// New returns a blueprint for Heroku.
func New(cfg Config) *blueprint.Blueprint {
	api := preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL)
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	origin := preset.Origin(api)
	app.Options.HTTPClient = preset.WrapTransport(cfg.HTTPClient, func(base http.RoundTripper) http.RoundTripper {
		return preset.RoundTripFunc(func(req *http.Request) (*http.Response, error) {
			if preset.IsOrigin(req, origin) {
				req = req.Clone(req.Context())
				req.Header.Set("Accept", APIAccept)
			}
			return base.RoundTrip(req)
		})
	})
	b := app.OAuth2(preset.Provider{Name: "heroku", Env: "HEROKU", Scopes: []string{"identity"}}, blueprint.OAuth2Config{
		AuthURL:    preset.Or(cfg.AuthURL, DefaultAuthURL),
		TokenURL:   preset.Or(cfg.TokenURL, DefaultTokenURL),
		APIBaseURL: api,
		// Heroku's token endpoint reads client_secret from the body.
		TokenAuth: blueprint.ClientSecretPost,
	})
	b.IdentityGetter(Identity)
	return b
}

// Identity is the blueprint's identity function: account. The address is
// never reported verified (Heroku's "verified" field is about billing).
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	var u map[string]any
	if err := cl.GetJSON("account", &u); err != nil {
		return nil, err
	}
	return &blueprint.Identity{ID: preset.Str(u, "id"), Name: preset.Str(u, "name"), Email: preset.Str(u, "email"), Raw: u}, nil
}
