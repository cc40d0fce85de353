package strava

import (
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// Strava's endpoints.
const (
	DefaultAuthURL    = "https://www.strava.com/oauth/authorize"
	DefaultTokenURL   = "https://www.strava.com/oauth/token"
	DefaultAPIBaseURL = "https://www.strava.com/api/v3/"
)

// Config configures the Strava blueprint. Empty ClientID and ClientSecret
// are read from STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes, e.g. "read", "activity:read_all"; nil: "read". They are sent
	// comma-separated, as Strava requires.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "strava".
	Name string
	// ForceApproval shows Strava's consent page even to athletes who
	// already authorized the app (approval_prompt=force).
	ForceApproval bool
	// AuthURL, TokenURL and APIBaseURL override Strava's (tests, proxies).
	AuthURL, TokenURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares; see
	// blueprint.Options.
	blueprint.Options
}

var provider = preset.Provider{Name: "strava", Env: "STRAVA", Scopes: []string{"read"}}

// New returns a blueprint for Strava.
func New(cfg Config) *blueprint.Blueprint {
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	prompt := "auto"
	if cfg.ForceApproval {
		prompt = "force"
	}
	b := app.OAuth2(provider, blueprint.OAuth2Config{
		AuthURL:    preset.Or(cfg.AuthURL, DefaultAuthURL),
		TokenURL:   preset.Or(cfg.TokenURL, DefaultTokenURL),
		APIBaseURL: preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL),
		// Strava splits scope on commas, not spaces (AuthParams' scope
		// replaces the space-joined one).
		AuthParams: map[string]string{"scope": strings.Join(app.Resolved(provider).Scopes, ","), "approval_prompt": prompt},
		// Strava reads client_id and client_secret from the body.
		TokenAuth: blueprint.ClientSecretPost,
		Protocol:  blueprint.OAuth2Hooks{ScopeSeparator: ","},
	})
	b.OnLogin(acceptedScopes(app.Resolved(provider).Scopes))
	b.IdentityGetter(Identity)
	return b
}

// acceptedScopes returns the OnLogin hook that narrows a login's
// Token.Scopes to those the athlete accepted: the athlete may untick
// scopes on Strava's consent page, and which were accepted is said only in
// the redirect's scope parameter (comma-separated), not in the token
// response, whose absent scope made the token assume all that were
// requested (RFC 6749 §5.1). The parameter comes through the browser,
// unsigned, so it may narrow Token.Scopes but never widen them, and a
// token response that named other scopes than requested is left alone.
func acceptedScopes(requested []string) func(c *gin.Context, tok *blueprint.Token) error {
	return func(c *gin.Context, tok *blueprint.Token) error {
		param := c.Query("scope")
		if param == "" || !sameSet(tok.Scopes, requested) {
			return nil
		}
		accepted := []string{}
		for _, s := range strings.Split(param, ",") {
			s = strings.TrimSpace(s)
			if slices.Contains(requested, s) && !slices.Contains(accepted, s) {
				accepted = append(accepted, s)
			}
		}
		tok.Scopes = accepted
		return nil
	}
}

// sameSet reports whether a and b hold the same scopes.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}

// Identity is the blueprint's identity function: the athlete of the token
// response (Token.Extra["athlete"]), or GET athlete when the stored token
// came from a refresh, whose response carries none.
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	tok, err := cl.Token()
	if err != nil {
		return nil, err
	}
	a, _ := tok.Extra["athlete"].(map[string]any)
	if preset.ID(a, "id") == "" {
		a = nil
		if err := cl.GetJSON("athlete", &a); err != nil {
			return nil, err
		}
	}
	return &blueprint.Identity{ID: preset.ID(a, "id"), Username: preset.Str(a, "username"),
		Name:      strings.TrimSpace(preset.Str(a, "firstname") + " " + preset.Str(a, "lastname")),
		AvatarURL: preset.Str(a, "profile"), Raw: a}, nil
}
