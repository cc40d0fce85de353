package blueprint_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

func oauth1Config() blueprint.OAuth1Config {
	return blueprint.OAuth1Config{
		ConsumerKey: "key", ConsumerSecret: "consumer-secret-16+",
		RequestTokenURL: "https://idp.example/request_token", AuthorizeURL: "https://idp.example/authorize",
		AccessTokenURL: "https://idp.example/access_token",
		Options:        blueprint.Options{LoginCookieKey: testLoginKey},
	}
}

// An OAuth 1.0a blueprint has no token endpoint to bind with DPoP, no
// client assertion, no PAR endpoint, no expiring tokens and no id_token:
// each OAuth 2.0-only option set on it fails Validate and Mount with an
// error that names the option, rather than running without it.
func TestOAuth1RefusesOAuth2OnlyOptions(t *testing.T) {
	for name, set := range map[string]func(*blueprint.Options){
		"DPoP":                      func(o *blueprint.Options) { o.DPoP = true },
		"ClientKeys":                func(o *blueprint.Options) { o.ClientKeys = []blueprint.ClientKey{{Signer: mustECKey(t)}} },
		"PushAuthorizationRequests": func(o *blueprint.Options) { o.PushAuthorizationRequests = true },
		"AssertionAudienceTokenURL": func(o *blueprint.Options) { o.AssertionAudienceTokenURL = true },
		"RefreshLeeway":             func(o *blueprint.Options) { o.RefreshLeeway = time.Minute },
		"ClockSkew":                 func(o *blueprint.Options) { o.ClockSkew = time.Second },
		"DisableRefreshOn401":       func(o *blueprint.Options) { o.DisableRefreshOn401 = true },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := oauth1Config()
			set(&cfg.Options)
			b := blueprint.NewOAuth1("tw", cfg)
			err := b.Validate()
			if !errors.Is(err, blueprint.ErrConfig) || !strings.Contains(err.Error(), "Options."+name) {
				t.Fatalf("Validate: %v, want ErrConfig naming Options.%s", err, name)
			}
			defer func() {
				if r := recover(); r == nil {
					t.Fatal("Mount accepted the blueprint")
				}
			}()
			b.Mount(gin.New().Group("/login"))
		})
	}
	if err := blueprint.NewOAuth1("tw", oauth1Config()).Validate(); err != nil {
		t.Fatalf("a plain OAuth 1.0a config: %v", err)
	}
}

// An OAuth 2.0 option that the rest of the config makes moot is refused as
// well: an assertion audience without client assertions (RFC 7523), and a
// clock skew for id_tokens on a blueprint that verifies none.
func TestOAuth2RefusesOptionsItCannotHonour(t *testing.T) {
	cfg := staticConfig("https://api.example/")
	cfg.AssertionAudienceTokenURL = true
	if err := blueprint.NewOAuth2("x", cfg).Validate(); !errors.Is(err, blueprint.ErrConfig) || !strings.Contains(err.Error(), "AssertionAudienceTokenURL") {
		t.Fatalf("AssertionAudienceTokenURL with client_secret_basic: %v", err)
	}
	cfg.TokenAuth = blueprint.ClientSecretJWT
	cfg.ClientSecret = strings.Repeat("s", 32)
	if err := blueprint.NewOAuth2("x", cfg).Validate(); err != nil {
		t.Fatalf("AssertionAudienceTokenURL with client_secret_jwt: %v", err)
	}

	cfg = staticConfig("https://api.example/")
	cfg.ClockSkew = time.Second
	if err := blueprint.NewOAuth2("x", cfg).Validate(); !errors.Is(err, blueprint.ErrConfig) || !strings.Contains(err.Error(), "ClockSkew") {
		t.Fatalf("ClockSkew without id_token verification: %v", err)
	}
}
