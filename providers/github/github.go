package github

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// Default endpoints of github.com.
const (
	DefaultAuthURL    = "https://github.com/login/oauth/authorize"
	DefaultTokenURL   = "https://github.com/login/oauth/access_token"
	DefaultAPIBaseURL = "https://api.github.com/"
)

// Config configures the GitHub blueprint. Empty ClientID and ClientSecret
// are read from GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes, e.g. "read:user", "user:email". With "user:email" (or
	// "user") Identity reads the primary verified address from
	// /user/emails.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "github".
	Name string
	// Host selects a GitHub Enterprise Server, e.g. "github.example.com":
	// https://<Host>/login/oauth/... and API https://<Host>/api/v3/.
	Host string
	// AuthURL, TokenURL and APIBaseURL override the endpoints (for tests
	// and proxies); empty: github.com's or Host's.
	AuthURL, TokenURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// New returns a blueprint for GitHub OAuth apps (and GitHub Apps' user
// tokens). The token endpoint is asked for JSON (Accept:
// application/json).
func New(cfg Config) *blueprint.Blueprint {
	auth, token, api := DefaultAuthURL, DefaultTokenURL, DefaultAPIBaseURL
	if cfg.Host != "" {
		auth, token, api = "https://"+cfg.Host+"/login/oauth/authorize", "https://"+cfg.Host+"/login/oauth/access_token", "https://"+cfg.Host+"/api/v3/"
	}
	auth, token, api = preset.Or(cfg.AuthURL, auth), preset.Or(cfg.TokenURL, token), preset.Or(cfg.APIBaseURL, api)
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	app.Options.HTTPClient = acceptJSONAt(token, cfg.HTTPClient)
	b := app.OAuth2(preset.Provider{Name: "github", Env: "GITHUB"}, blueprint.OAuth2Config{AuthURL: auth, TokenURL: token, APIBaseURL: api,
		// GitHub's token response joins the granted scopes with commas.
		Protocol: blueprint.OAuth2Hooks{ScopeSeparator: ","}})
	b.IdentityGetter(Identity)
	return b
}

// acceptJSONAt returns a copy of hc (nil: a new client) whose requests to
// tokenURL ask for JSON: GitHub's token endpoint otherwise answers
// form-encoded.
func acceptJSONAt(tokenURL string, hc *http.Client) *http.Client {
	return preset.WrapTransport(hc, func(base http.RoundTripper) http.RoundTripper {
		return preset.RoundTripFunc(func(req *http.Request) (*http.Response, error) {
			if preset.IsURL(req, tokenURL) {
				req = req.Clone(req.Context())
				req.Header.Set("Accept", "application/json")
			}
			return base.RoundTrip(req)
		})
	})
}

// Identity is the blueprint's identity function: /user, and with the
// user:email or user scope the primary verified address of /user/emails.
// Without those scopes Email is the public profile address, if any, and
// EmailVerified is false.
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	var u map[string]any
	if err := cl.GetJSON("user", &u); err != nil {
		return nil, err
	}
	id := &blueprint.Identity{Username: str(u, "login"), Name: str(u, "name"), Email: str(u, "email"),
		AvatarURL: str(u, "avatar_url"), Raw: u}
	if n, ok := u["id"].(float64); ok {
		id.ID = strconv.FormatInt(int64(n), 10)
	}
	tok, err := cl.Token()
	if err != nil {
		return nil, err
	}
	if hasScope(tok.Scopes, "user:email") || hasScope(tok.Scopes, "user") {
		var emails []struct {
			Email    string `json:"email"`
			Primary  bool   `json:"primary"`
			Verified bool   `json:"verified"`
		}
		if err := cl.GetJSON("user/emails", &emails); err != nil {
			return nil, err
		}
		id.Email, id.EmailVerified = "", false
		for _, e := range emails {
			if e.Primary && e.Verified {
				id.Email, id.EmailVerified = e.Email, true
			}
		}
	}
	return id, nil
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// hasScope reports whether scopes hold s. A token stored before the
// blueprint split GitHub's comma-separated scopes holds them as one
// "read:user,user:email" element (OAuth app tokens never refresh), so each
// element is split on commas too.
func hasScope(scopes []string, s string) bool {
	for _, e := range scopes {
		for part := range strings.SplitSeq(e, ",") {
			if strings.TrimSpace(part) == s {
				return true
			}
		}
	}
	return false
}
