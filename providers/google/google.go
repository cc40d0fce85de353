package google

import (
	"fmt"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
	"github.com/gindance/gindance/providers/oidc"
)

// Default endpoints of Google.
const (
	DefaultIssuer     = "https://accounts.google.com"
	DefaultAPIBaseURL = "https://www.googleapis.com/"
)

// ErrHostedDomain means the verified id_token's hd claim is not
// Config.HostedDomain: the account is not of that Google Workspace domain.
// It wraps oidc.ErrIDToken.
var ErrHostedDomain = fmt.Errorf("%w: hd claim is not the required hosted domain", oidc.ErrIDToken)

// Config configures the Google blueprint. Empty ClientID and ClientSecret
// are read from GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes besides openid. Default: profile, email.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "google".
	Name string
	// Offline asks for a refresh token: access_type=offline with
	// prompt=consent (Google returns a refresh token only on consent).
	Offline bool
	// SelectAccount shows the account chooser (prompt=select_account).
	SelectAccount bool
	// HostedDomain restricts logins to a Google Workspace domain: it is
	// sent as hd (which only preselects) and enforced on the verified hd
	// claim, at login and in Claims.
	HostedDomain string
	// UserInfo also fetches the userinfo endpoint (see oidc.Config).
	UserInfo bool

	// Issuer, DiscoveryURL and APIBaseURL override Google's (for tests).
	Issuer, DiscoveryURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// New returns an OpenID Connect blueprint for Google (oidc.New with
// Google's issuer); its Claims method works.
func New(cfg Config) *oidc.Blueprint {
	params := map[string]string{}
	prompt := ""
	if cfg.Offline {
		params["access_type"] = "offline"
		prompt = "consent"
	}
	if cfg.SelectAccount {
		prompt = join(prompt, "select_account")
	}
	if prompt != "" {
		params["prompt"] = prompt
	}
	oc := oidc.Config{
		Issuer: preset.Or(cfg.Issuer, DefaultIssuer), DiscoveryURL: cfg.DiscoveryURL,
		APIBaseURL: preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL), AuthParams: params, UserInfo: cfg.UserInfo,
	}
	if hd := cfg.HostedDomain; hd != "" {
		params["hd"] = hd
		oc.CheckClaims = func(claims map[string]any) error {
			if got, _ := claims["hd"].(string); got != hd {
				return ErrHostedDomain
			}
			return nil
		}
	}
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	return app.OIDC(preset.Provider{Name: "google", Env: "GOOGLE", Scopes: []string{"profile", "email"}}, oc)
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}
