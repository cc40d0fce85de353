package slack_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/oidc"
	"github.com/gindance/gindance/providers/slack"
)

var team = map[string]any{slack.ClaimTeamID: "T0ACME", slack.ClaimTeamName: "Acme", slack.ClaimUserID: "U0ADA"}

// slackFake is Slack's shape: token answers in the ok envelope.
func slackFake(t *testing.T, claims map[string]any, user *gintest.User, cfg slack.Config) (*presettest.Fake, *oidc.Blueprint, *[]error) {
	t.Setenv("SLACK_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("SLACK_CLIENT_SECRET", gintest.DefaultClientSecret)
	f := presettest.NewOIDC(t, gintest.OIDCOptions{User: user, Claims: claims, Quirks: gintest.OIDCQuirks{OKEnvelope: true}})
	e := f.Endpoints()
	cfg.Issuer, cfg.APIBaseURL, cfg.HTTPClient, cfg.LoginCookieKey = e.Issuer, e.APIBaseURL, e.HTTPClient, e.LoginCookieKey
	b := slack.New(cfg)
	var errs []error
	b.OnError(func(c *gin.Context, err error) { errs = append(errs, err); blueprint.DefaultErrorHandler(c, err) })
	return f, b, &errs
}

func TestSlackLogin(t *testing.T) {
	f, b, _ := slackFake(t, team, &gintest.User{ID: "U0ADA", Name: "Ada Lovelace", Email: "ada@acme.example", EmailVerified: true,
		AvatarURL: "https://avatars.slack-edge.example/ada_512.png"}, slack.Config{})
	l := f.Login(t, b)
	presettest.WantClientAuth(t, presettest.WantOIDCLogin(t, l, "openid profile email", false), blueprint.ClientSecretBasic)
	presettest.WantIdentity(t, l.Identity, blueprint.Identity{ID: "U0ADA", Username: "ada@acme.example", Name: "Ada Lovelace",
		Email: "ada@acme.example", EmailVerified: true, AvatarURL: "https://avatars.slack-edge.example/ada_512.png"})
	if l.Identity.Raw[slack.ClaimTeamName] != "Acme" {
		t.Errorf("team claims not in Identity.Raw: %v", l.Identity.Raw)
	}
}

// TestSlackTeamIsEnforced: team in the request only preselects the
// workspace; the verified team_id claim must match.
func TestSlackTeamIsEnforced(t *testing.T) {
	f, b, _ := slackFake(t, team, nil, slack.Config{Team: "T0ACME"})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	if l.Authorize.Get("team") != "T0ACME" {
		t.Fatalf("authorize %v", l.Authorize)
	}
	f, b, errs := slackFake(t, map[string]any{slack.ClaimTeamID: "T0EVIL"}, nil, slack.Config{Team: "T0ACME"})
	if l := f.Login(t, b); l.Status == http.StatusOK || len(*errs) != 1 || !errors.Is((*errs)[0], slack.ErrTeam) {
		t.Fatalf("other workspace: %d, errors %v", l.Status, *errs)
	}
}

// TestSlackOKFalseTokenErrorIsNamed: Slack answers a refused token request
// with HTTP 200 and ok:false; the login ends with Slack's error code (which
// x/oauth2 reads from any answer that carries error), not with a puzzling
// missing access token.
func TestSlackOKFalseTokenErrorIsNamed(t *testing.T) {
	f, b, errs := slackFake(t, team, nil, slack.Config{ClientSecret: "wrong-client-secret"})
	l := f.Login(t, b)
	var pe *blueprint.ProviderError
	if l.Status == http.StatusOK || len(*errs) != 1 || !errors.As((*errs)[0], &pe) || pe.Code != "invalid_client" {
		t.Fatalf("refused token request: %d, errors %v", l.Status, *errs)
	}
}

func TestSlackUnverifiedEmail(t *testing.T) {
	f, b, _ := slackFake(t, team, &gintest.User{ID: "U0EVE", Email: "eve@example.test"}, slack.Config{})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", false)
	if l.Identity.EmailVerified {
		t.Fatalf("identity %+v", l.Identity)
	}
}
