package twitch

import (
	"net/http"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
	"github.com/gindance/gindance/providers/oidc"
)

// Default endpoints of Twitch.
const (
	DefaultIssuer     = "https://id.twitch.tv/oauth2"
	DefaultAPIBaseURL = "https://api.twitch.tv/helix/"
)

// claimsRequest asks for the claims Twitch leaves out of the id_token and
// userinfo unless requested with the claims parameter (OpenID Connect Core
// §5.5).
const claimsRequest = `{"id_token":{"email":null,"email_verified":null,"picture":null,"preferred_username":null},` +
	`"userinfo":{"email":null,"email_verified":null,"picture":null,"preferred_username":null}}`

// Config configures the Twitch blueprint. Empty ClientID and ClientSecret
// are read from TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes besides openid. Default: user:read:email (for the email
	// claims).
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "twitch".
	Name string
	// ForceVerify makes Twitch ask the user to approve the app again
	// (force_verify=true), even if they did before.
	ForceVerify bool

	// Issuer, DiscoveryURL and APIBaseURL override Twitch's (for tests).
	// The Client-Id header goes to APIBaseURL's origin only.
	Issuer, DiscoveryURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// New returns an OpenID Connect blueprint for Twitch; its Claims method works.
// The client authenticates with client_secret_post, as Twitch's token
// endpoint requires, and Client adds the Client-Id header the Helix API
// wants on every call, on requests to the API's origin only.
func New(cfg Config) *oidc.Blueprint {
	api := preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL)
	p := preset.Provider{Name: "twitch", Env: "TWITCH", Scopes: []string{"user:read:email"}}
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	app = app.Resolved(p)
	app.Options.HTTPClient = withClientID(cfg.HTTPClient, app.ClientID, preset.Origin(api))
	params := map[string]string{"claims": claimsRequest}
	if cfg.ForceVerify {
		params["force_verify"] = "true"
	}
	return app.OIDC(p, oidc.Config{Issuer: preset.Or(cfg.Issuer, DefaultIssuer), DiscoveryURL: cfg.DiscoveryURL,
		APIBaseURL: api, AuthParams: params, TokenAuth: blueprint.ClientSecretPost, IdentityFromClaims: Identity})
}

// withClientID returns a copy of hc that sets Client-Id on requests to
// apiOrigin, and on no others: the token endpoint and foreign hosts never
// see it.
func withClientID(hc *http.Client, clientID, apiOrigin string) *http.Client {
	return preset.WrapTransport(hc, func(base http.RoundTripper) http.RoundTripper {
		return preset.RoundTripFunc(func(req *http.Request) (*http.Response, error) {
			if preset.IsOrigin(req, apiOrigin) {
				req = req.Clone(req.Context())
				req.Header.Set("Client-Id", clientID)
			}
			return base.RoundTrip(req)
		})
	})
}

// Identity maps Twitch's claims: sub is the user ID, preferred_username the
// display name (Twitch has no separate name claim).
func Identity(claims map[string]any) *blueprint.Identity {
	id := oidc.IdentityFromClaims(claims)
	if id.Name == "" {
		id.Name, _ = claims["preferred_username"].(string)
	}
	return id
}
