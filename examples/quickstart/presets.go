package main

import (
	"context"
	"os"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/apple"
	"github.com/gindance/gindance/providers/atlassian"
	"github.com/gindance/gindance/providers/auth0"
	"github.com/gindance/gindance/providers/authentik"
	"github.com/gindance/gindance/providers/bitbucket"
	"github.com/gindance/gindance/providers/dex"
	"github.com/gindance/gindance/providers/digitalocean"
	"github.com/gindance/gindance/providers/discord"
	"github.com/gindance/gindance/providers/dropbox"
	"github.com/gindance/gindance/providers/facebook"
	"github.com/gindance/gindance/providers/gitea"
	"github.com/gindance/gindance/providers/github"
	"github.com/gindance/gindance/providers/gitlab"
	"github.com/gindance/gindance/providers/google"
	"github.com/gindance/gindance/providers/heroku"
	"github.com/gindance/gindance/providers/keycloak"
	"github.com/gindance/gindance/providers/linkedin"
	"github.com/gindance/gindance/providers/microsoft"
	"github.com/gindance/gindance/providers/notion"
	"github.com/gindance/gindance/providers/oidc"
	"github.com/gindance/gindance/providers/okta"
	"github.com/gindance/gindance/providers/reddit"
	"github.com/gindance/gindance/providers/salesforce"
	"github.com/gindance/gindance/providers/slack"
	"github.com/gindance/gindance/providers/spotify"
	"github.com/gindance/gindance/providers/strava"
	"github.com/gindance/gindance/providers/twitch"
	"github.com/gindance/gindance/providers/twitter"
	"github.com/gindance/gindance/providers/zitadel"
	"github.com/gindance/gindance/providers/zoom"
)

// preset is one provider preset the quickstart offers when the environment
// holds what it needs.
type preset struct {
	title string
	// needs are the environment variables that must all be set; nil:
	// <ENV>_CLIENT_ID and <ENV>_CLIENT_SECRET, which every preset reads
	// itself when its Config leaves them empty.
	env   string
	needs []string
	make  func() *blueprint.Blueprint
	// oidc makes an OpenID Connect preset's blueprint instead of make; the
	// quickstart also fetches its discovery document at startup, so that a
	// wrong issuer fails here.
	oidc func() *oidc.Blueprint
}

// presets lists every preset; each reads its credentials (and the few
// settings some need, such as a tenant or a domain) from the environment.
func presets() []preset {
	return []preset{
		{title: "Apple", env: "APPLE", needs: []string{"APPLE_CLIENT_ID", "APPLE_TEAM_ID", "APPLE_KEY_ID", "APPLE_PRIVATE_KEY"},
			oidc: func() *oidc.Blueprint { return apple.New(apple.Config{}) }},
		{title: "Bitbucket", env: "BITBUCKET", make: func() *blueprint.Blueprint { return bitbucket.New(bitbucket.Config{}) }},
		{title: "Discord", env: "DISCORD", make: func() *blueprint.Blueprint { return discord.New(discord.Config{}) }},
		{title: "Dropbox", env: "DROPBOX", make: func() *blueprint.Blueprint { return dropbox.New(dropbox.Config{}) }},
		{title: "Facebook", env: "FACEBOOK", make: func() *blueprint.Blueprint { return facebook.New(facebook.Config{}) }},
		{title: "GitHub", env: "GITHUB", make: func() *blueprint.Blueprint {
			return github.New(github.Config{Scopes: []string{"read:user", "user:email"}})
		}},
		{title: "Google", env: "GOOGLE", oidc: func() *oidc.Blueprint { return google.New(google.Config{}) }},
		{title: "Microsoft", env: "MICROSOFT", oidc: func() *oidc.Blueprint {
			return microsoft.New(microsoft.Config{Tenant: os.Getenv("MICROSOFT_TENANT")}) // empty: common
		}},
		{title: "Reddit", env: "REDDIT", make: func() *blueprint.Blueprint { return reddit.New(reddit.Config{}) }},
		{title: "Spotify", env: "SPOTIFY", make: func() *blueprint.Blueprint { return spotify.New(spotify.Config{}) }},
		{title: "Strava", env: "STRAVA", make: func() *blueprint.Blueprint { return strava.New(strava.Config{}) }},
		{title: "Twitter", env: "TWITTER", make: func() *blueprint.Blueprint { return twitter.New(twitter.Config{}) }},
		{title: "Atlassian", env: "ATLASSIAN", make: func() *blueprint.Blueprint { return atlassian.New(atlassian.Config{}) }},
		{title: "DigitalOcean", env: "DIGITALOCEAN", make: func() *blueprint.Blueprint { return digitalocean.New(digitalocean.Config{}) }},
		{title: "Gitea", env: "GITEA", make: func() *blueprint.Blueprint {
			return gitea.New(gitea.Config{BaseURL: os.Getenv("GITEA_URL")}) // empty: gitea.com
		}},
		{title: "Heroku", env: "HEROKU", make: func() *blueprint.Blueprint { return heroku.New(heroku.Config{}) }},
		{title: "Notion", env: "NOTION", make: func() *blueprint.Blueprint { return notion.New(notion.Config{}) }},
		{title: "X (OAuth 2.0)", env: "TWITTER_OAUTH2", make: func() *blueprint.Blueprint {
			return twitter.NewOAuth2(twitter.OAuth2Config{Name: "x"}) // "twitter" is the OAuth 1.0a preset's
		}},
		{title: "Zoom", env: "ZOOM", make: func() *blueprint.Blueprint { return zoom.New(zoom.Config{}) }},
		// OpenID Connect presets whose issuer depends on the tenant or server.
		{title: "Auth0", env: "AUTH0", needs: []string{"AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET", "AUTH0_DOMAIN"},
			oidc: func() *oidc.Blueprint { return auth0.New(auth0.Config{Domain: os.Getenv("AUTH0_DOMAIN")}) }},
		{title: "authentik", env: "AUTHENTIK", needs: []string{"AUTHENTIK_CLIENT_ID", "AUTHENTIK_CLIENT_SECRET", "AUTHENTIK_URL", "AUTHENTIK_SLUG"},
			oidc: func() *oidc.Blueprint {
				return authentik.New(authentik.Config{BaseURL: os.Getenv("AUTHENTIK_URL"), Slug: os.Getenv("AUTHENTIK_SLUG")})
			}},
		{title: "Dex", env: "DEX", needs: []string{"DEX_CLIENT_ID", "DEX_CLIENT_SECRET", "DEX_ISSUER"},
			oidc: func() *oidc.Blueprint { return dex.New(dex.Config{Issuer: os.Getenv("DEX_ISSUER")}) }},
		{title: "GitLab", env: "GITLAB", oidc: func() *oidc.Blueprint {
			return gitlab.New(gitlab.Config{Host: os.Getenv("GITLAB_URL")}) // empty: gitlab.com
		}},
		{title: "Keycloak", env: "KEYCLOAK", needs: []string{"KEYCLOAK_CLIENT_ID", "KEYCLOAK_CLIENT_SECRET", "KEYCLOAK_URL", "KEYCLOAK_REALM"},
			oidc: func() *oidc.Blueprint {
				return keycloak.New(keycloak.Config{BaseURL: os.Getenv("KEYCLOAK_URL"), Realm: os.Getenv("KEYCLOAK_REALM")})
			}},
		{title: "LinkedIn", env: "LINKEDIN", oidc: func() *oidc.Blueprint { return linkedin.New(linkedin.Config{}) }},
		{title: "Okta", env: "OKTA", needs: []string{"OKTA_CLIENT_ID", "OKTA_CLIENT_SECRET", "OKTA_DOMAIN"},
			oidc: func() *oidc.Blueprint { return okta.New(okta.Config{Domain: os.Getenv("OKTA_DOMAIN")}) }},
		{title: "Salesforce", env: "SALESFORCE", oidc: func() *oidc.Blueprint {
			// empty SALESFORCE_MY_DOMAIN: login.salesforce.com (test.salesforce.com with SALESFORCE_SANDBOX set)
			return salesforce.New(salesforce.Config{MyDomain: os.Getenv("SALESFORCE_MY_DOMAIN"), Sandbox: os.Getenv("SALESFORCE_SANDBOX") != ""})
		}},
		{title: "Slack", env: "SLACK", oidc: func() *oidc.Blueprint { return slack.New(slack.Config{}) }},
		{title: "Twitch", env: "TWITCH", oidc: func() *oidc.Blueprint { return twitch.New(twitch.Config{}) }},
		{title: "ZITADEL", env: "ZITADEL", needs: []string{"ZITADEL_CLIENT_ID", "ZITADEL_CLIENT_SECRET", "ZITADEL_DOMAIN"},
			oidc: func() *oidc.Blueprint { return zitadel.New(zitadel.Config{Domain: os.Getenv("ZITADEL_DOMAIN")}) }},
	}
}

// configured reports whether the environment holds everything p needs.
func (p preset) configured() bool {
	needs := p.needs
	if needs == nil {
		needs = []string{p.env + "_CLIENT_ID", p.env + "_CLIENT_SECRET"}
	}
	for _, v := range needs {
		if os.Getenv(v) == "" {
			return false
		}
	}
	return true
}

// build makes p's blueprint and checks its configuration, and for OpenID
// Connect presets also runs discovery, so that a mistake stops the
// quickstart at startup.
func (p preset) build(ctx context.Context) (*blueprint.Blueprint, error) {
	if p.oidc == nil {
		b := p.make()
		return b, b.Validate()
	}
	b := p.oidc()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return b.Blueprint, b.Discover(ctx)
}

// new makes p's blueprint.
func (p preset) new() *blueprint.Blueprint {
	if p.oidc != nil {
		return p.oidc().Blueprint
	}
	return p.make()
}
