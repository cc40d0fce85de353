package google

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

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
	// claim, at login and in oidc.Claims.
	HostedDomain string
	// UserInfo also fetches the userinfo endpoint (see oidc.Config).
	UserInfo bool

	// Issuer, DiscoveryURL and APIBaseURL override Google's (for tests).
	Issuer, DiscoveryURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// HTTPClient and the fields below mean what they mean in
	// blueprint.OAuth2Config.
	HTTPClient      *http.Client
	ProviderTimeout time.Duration
	SessionName     string
	LoginCookieKey  []byte
	Logger          *slog.Logger
}

// New returns an OpenID Connect blueprint for Google (oidc.New with
// Google's issuer); oidc.Claims works on it.
func New(cfg Config) *blueprint.Blueprint {
	preset.Credentials("GOOGLE", &cfg.ClientID, &cfg.ClientSecret)
	cfg.Name = preset.Or(cfg.Name, "google")
	if cfg.Issuer == "" {
		cfg.Issuer = DefaultIssuer
	}
	if cfg.APIBaseURL == "" {
		cfg.APIBaseURL = DefaultAPIBaseURL
	}
	if cfg.Scopes == nil {
		cfg.Scopes = []string{"profile", "email"}
	}
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
		Issuer: cfg.Issuer, DiscoveryURL: cfg.DiscoveryURL, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		Scopes: cfg.Scopes, APIBaseURL: cfg.APIBaseURL, RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo,
		AuthParams: params, UserInfo: cfg.UserInfo, HTTPClient: cfg.HTTPClient, ProviderTimeout: cfg.ProviderTimeout,
		SessionName: cfg.SessionName, LoginCookieKey: cfg.LoginCookieKey, Logger: cfg.Logger,
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
	return oidc.New(cfg.Name, oc)
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}
