package gitea

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// DefaultBaseURL is the instance used when Config.BaseURL is empty.
const DefaultBaseURL = "https://gitea.com"

// Config configures the Gitea (or Forgejo) blueprint. Empty ClientID and
// ClientSecret are read from GITEA_CLIENT_ID and GITEA_CLIENT_SECRET when
// New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes; nil: "read:user" (Gitea 1.20 and later, and Forgejo, scope
	// OAuth tokens; older versions grant every permission whatever is
	// asked).
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "gitea".
	Name string
	// BaseURL is the instance, e.g. "https://git.example.com" or
	// "https://example.com/gitea" for one served under a path. Empty:
	// DefaultBaseURL.
	BaseURL string
	// AuthURL, TokenURL and APIBaseURL override those derived from BaseURL
	// (tests, proxies).
	AuthURL, TokenURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares; see
	// blueprint.Options.
	blueprint.Options
}

// New returns a blueprint for a Gitea or Forgejo instance.
func New(cfg Config) *blueprint.Blueprint {
	base := strings.TrimSuffix(preset.Or(cfg.BaseURL, DefaultBaseURL), "/")
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	b := app.OAuth2(preset.Provider{Name: "gitea", Env: "GITEA", Scopes: []string{"read:user"}}, blueprint.OAuth2Config{
		AuthURL:    preset.Or(cfg.AuthURL, base+"/login/oauth/authorize"),
		TokenURL:   preset.Or(cfg.TokenURL, base+"/login/oauth/access_token"),
		APIBaseURL: preset.Or(cfg.APIBaseURL, base+"/api/v1/"),
	})
	b.IdentityGetter(Identity)
	return b
}

// Identity is the blueprint's identity function: user, and the primary
// verified address of user/emails (the user's own address in /user says
// nothing about verification).
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	var u map[string]any
	if err := cl.GetJSON("user", &u); err != nil {
		return nil, err
	}
	id := &blueprint.Identity{ID: preset.ID(u, "id"), Username: preset.Str(u, "login"), Name: preset.Str(u, "full_name"),
		AvatarURL: preset.Str(u, "avatar_url"), Raw: u}
	var emails []struct {
		Email    string `json:"email"`
		Verified bool   `json:"verified"`
		Primary  bool   `json:"primary"`
	}
	if err := cl.GetJSON("user/emails", &emails); err != nil {
		return nil, err
	}
	for _, e := range emails {
		if e.Primary && e.Verified {
			id.Email, id.EmailVerified = e.Email, true
		}
	}
	return id, nil
}
