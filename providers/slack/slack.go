package slack

import (
	"fmt"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
	"github.com/gindance/gindance/providers/oidc"
)

// Default endpoints of Slack.
const (
	DefaultIssuer     = "https://slack.com"
	DefaultAPIBaseURL = "https://slack.com/api/"
)

// Claims Slack adds to the id_token about the workspace and the user.
const (
	ClaimTeamID   = "https://slack.com/team_id"
	ClaimTeamName = "https://slack.com/team_name"
	ClaimUserID   = "https://slack.com/user_id"
)

// ErrTeam means the verified id_token's https://slack.com/team_id claim is
// not Config.Team: the user signed in to another workspace. It wraps
// oidc.ErrIDToken.
var ErrTeam = fmt.Errorf("%w: the Slack workspace is not the required team", oidc.ErrIDToken)

// Config configures the Sign in with Slack blueprint. Empty ClientID and
// ClientSecret are read from SLACK_CLIENT_ID and SLACK_CLIENT_SECRET when
// New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes besides openid. Default: profile, email.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "slack".
	Name string
	// Team restricts logins to one workspace by ID ("T0123456"): it is
	// sent as team, which only preselects the workspace, and enforced on
	// the verified https://slack.com/team_id claim.
	Team string

	// Issuer, DiscoveryURL and APIBaseURL override Slack's (for tests).
	Issuer, DiscoveryURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// New returns an OpenID Connect blueprint for Sign in with Slack;
// its Claims method works, and Identity.Raw holds Slack's team claims.
func New(cfg Config) *oidc.Blueprint {
	oc := oidc.Config{Issuer: preset.Or(cfg.Issuer, DefaultIssuer), DiscoveryURL: cfg.DiscoveryURL,
		APIBaseURL: preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL)}
	if team := cfg.Team; team != "" {
		oc.AuthParams = map[string]string{"team": team}
		oc.CheckClaims = func(claims map[string]any) error {
			if got, _ := claims[ClaimTeamID].(string); got != team {
				return ErrTeam
			}
			return nil
		}
	}
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	return app.OIDC(preset.Provider{Name: "slack", Env: "SLACK", Scopes: []string{"profile", "email"}}, oc)
}
