// Package preset builds every provider preset's blueprint the same way: the
// fields an app sets on any preset (credentials, scopes, redirect URL and
// target, blueprint.Options) are mapped into the generic configs here, once,
// so that a preset states only what makes it that provider: endpoints,
// default scopes, quirks and identity mapping.
package preset

import (
	"fmt"
	"os"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/oidc"
)

// Provider is what a preset says about its provider to App's constructors.
type Provider struct {
	// Name is the blueprint's default name and mount segment, e.g. "github".
	Name string
	// Env is the prefix of the credential variables read when the app left
	// them empty: <Env>_CLIENT_ID and <Env>_CLIENT_SECRET.
	Env string
	// Scopes are asked for when the app set none (nil Scopes).
	Scopes []string
	// PublicClient allows an empty client secret (a client protected by
	// PKCE alone). Otherwise an empty secret is a configuration error that
	// names the variables.
	PublicClient bool
	// Credentials names where the credentials come from, for the error
	// that reports one missing. Empty: <Env>_CLIENT_ID and
	// <Env>_CLIENT_SECRET.
	Credentials string
}

// MissingCredential returns the configuration error (wrapping
// blueprint.ErrConfig) for the blueprint name's empty credential field
// ("ClientID", "ClientSecret", ...), naming where p reads it from, so that
// every preset words it the same way.
func (p Provider) MissingCredential(name, field string) error {
	from := p.Credentials
	if from == "" {
		from = p.Env + "_CLIENT_ID and " + p.Env + "_CLIENT_SECRET"
	}
	return fmt.Errorf("%w: %s: %s is empty: set %s in the environment, or Config.%s", blueprint.ErrConfig, name, field, from, field)
}

// App is what an app sets on every preset, copied from the preset's Config.
type App struct {
	Name                    string
	ClientID, ClientSecret  string
	Scopes                  []string
	RedirectURL, RedirectTo string
	Options                 blueprint.Options
}

// Resolved returns a with the preset's defaults filled in: the name, the
// scopes, and credentials from the environment (read here, when the preset's
// New runs, never at init).
func (a App) Resolved(p Provider) App {
	if a.Name == "" {
		a.Name = p.Name
	}
	if a.Scopes == nil {
		a.Scopes = append([]string(nil), p.Scopes...)
	}
	if a.ClientID == "" {
		a.ClientID = os.Getenv(p.Env + "_CLIENT_ID")
	}
	if a.ClientSecret == "" {
		a.ClientSecret = os.Getenv(p.Env + "_CLIENT_SECRET")
	}
	return a
}

// checkCredentials returns a check that reports a's missing client ID,
// or its missing secret unless secretOptional, naming p's variables, and
// then runs next (when set).
func (a App) checkCredentials(p Provider, secretOptional bool, next func() error) func() error {
	return func() error {
		switch {
		case a.ClientID == "":
			return p.MissingCredential(a.Name, "ClientID")
		case a.ClientSecret == "" && !secretOptional:
			return p.MissingCredential(a.Name, "ClientSecret")
		case next != nil:
			return next()
		}
		return nil
	}
}

// OAuth2 returns an OAuth 2.0 blueprint: cfg holds the provider's endpoints
// and quirks, a the app's settings (cfg's Options are a's: a preset that
// wraps the HTTP client or allows another host changes a.Options first).
// An empty client ID, or client secret unless p.PublicClient (or
// private_key_jwt, which needs none), fails Validate (and so Mount) with an
// error naming the variables.
func (a App) OAuth2(p Provider, cfg blueprint.OAuth2Config) *blueprint.Blueprint {
	a = a.Resolved(p)
	cfg.ClientID, cfg.ClientSecret, cfg.Scopes = a.ClientID, a.ClientSecret, a.Scopes
	cfg.RedirectURL, cfg.RedirectTo = a.RedirectURL, a.RedirectTo
	cfg.Options = a.Options
	cfg.PublicClient = cfg.PublicClient || p.PublicClient
	cfg.Protocol.Validate = a.checkCredentials(p, p.PublicClient || len(a.Options.ClientKeys) > 0, cfg.Protocol.Validate)
	return blueprint.NewOAuth2(a.Name, cfg)
}

// OAuth1 returns an OAuth 1.0a blueprint; the client ID and secret are the
// consumer key and secret, and an empty one fails Validate (and so Mount)
// with an error naming the variables.
func (a App) OAuth1(p Provider, cfg blueprint.OAuth1Config) *blueprint.Blueprint {
	a = a.Resolved(p)
	cfg.ConsumerKey, cfg.ConsumerSecret = a.ClientID, a.ClientSecret
	cfg.RedirectURL, cfg.RedirectTo = a.RedirectURL, a.RedirectTo
	cfg.Options = a.Options
	cfg.Validate = a.checkCredentials(p, false, cfg.Validate)
	return blueprint.NewOAuth1(a.Name, cfg)
}

// OIDC returns an OpenID Connect blueprint (providers/oidc): cfg holds the
// issuer and the provider's quirks.
func (a App) OIDC(p Provider, cfg oidc.Config) *oidc.Blueprint {
	a = a.Resolved(p)
	cfg.ClientID, cfg.ClientSecret, cfg.Scopes = a.ClientID, a.ClientSecret, a.Scopes
	cfg.RedirectURL, cfg.RedirectTo = a.RedirectURL, a.RedirectTo
	cfg.PublicClient = cfg.PublicClient || p.PublicClient
	cfg.Options = a.Options
	cfg.Validate = a.checkCredentials(p, cfg.PublicClient || len(a.Options.ClientKeys) > 0, cfg.Validate)
	return oidc.New(a.Name, cfg)
}

// Or returns v, or def when v is empty.
func Or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
