package facebook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// DefaultAPIVersion is the Graph API version of the default endpoints.
// Facebook supports each version for about two years; set
// Config.APIVersion to move on without waiting for a release.
const DefaultAPIVersion = "v23.0"

// Config configures the Facebook blueprint. Empty ClientID (App ID) and
// ClientSecret (App Secret) are read from FACEBOOK_CLIENT_ID and
// FACEBOOK_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes (permissions); nil: "public_profile", "email".
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "facebook".
	Name string
	// APIVersion is the Graph API version in every endpoint's path, e.g.
	// "v23.0". Empty: DefaultAPIVersion.
	APIVersion string
	// AuthURL, TokenURL and APIBaseURL override the endpoints (tests,
	// proxies); empty: Facebook's for APIVersion.
	AuthURL, TokenURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares; see
	// blueprint.Options.
	blueprint.Options
}

// New returns a blueprint for Facebook Login.
func New(cfg Config) *blueprint.Blueprint {
	v := preset.Or(cfg.APIVersion, DefaultAPIVersion)
	auth := preset.Or(cfg.AuthURL, "https://www.facebook.com/"+v+"/dialog/oauth")
	token := preset.Or(cfg.TokenURL, "https://graph.facebook.com/"+v+"/oauth/access_token")
	api := preset.Or(cfg.APIBaseURL, "https://graph.facebook.com/"+v+"/")
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	secret := app.Resolved(provider).ClientSecret
	app.Options.HTTPClient = withAppSecretProof(cfg.HTTPClient, secret, preset.Origin(api), token)
	b := app.OAuth2(provider, blueprint.OAuth2Config{AuthURL: auth, TokenURL: token, APIBaseURL: api,
		// Facebook's token endpoint reads client_id and client_secret as
		// parameters.
		TokenAuth: blueprint.ClientSecretPost})
	b.IdentityGetter(Identity)
	return b
}

var provider = preset.Provider{Name: "facebook", Env: "FACEBOOK", Scopes: []string{"public_profile", "email"}}

// withAppSecretProof returns a copy of hc that adds appsecret_proof to
// every request to graphOrigin that carries a bearer token, except those
// to tokenURL (the code exchange is not an API call).
func withAppSecretProof(hc *http.Client, secret, graphOrigin, tokenURL string) *http.Client {
	return preset.WrapTransport(hc, func(base http.RoundTripper) http.RoundTripper {
		return preset.RoundTripFunc(func(req *http.Request) (*http.Response, error) {
			scheme, tok, ok := strings.Cut(req.Header.Get("Authorization"), " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || !preset.IsOrigin(req, graphOrigin) || preset.IsURL(req, tokenURL) {
				return base.RoundTrip(req)
			}
			req = req.Clone(req.Context())
			q := req.URL.Query()
			q.Set("appsecret_proof", AppSecretProof(secret, tok))
			req.URL.RawQuery = q.Encode()
			return base.RoundTrip(req)
		})
	})
}

// AppSecretProof returns the appsecret_proof of accessToken: the hex
// HMAC-SHA256 of the token keyed with the app secret.
func AppSecretProof(appSecret, accessToken string) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write([]byte(accessToken))
	return hex.EncodeToString(m.Sum(nil))
}

// Identity is the blueprint's identity function: /me with id, name, email
// and picture. Facebook does not say whether the email was verified, so
// EmailVerified stays false; Username is empty (Graph API v2.0 and later
// have no usernames).
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	var u map[string]any
	if err := cl.GetJSON("me?fields=id,name,email,picture.type(large)", &u); err != nil {
		return nil, err
	}
	return &blueprint.Identity{ID: preset.ID(u, "id"), Name: preset.Str(u, "name"), Email: preset.Str(u, "email"),
		AvatarURL: preset.Str(u, "picture", "data", "url"), Raw: u}, nil
}
