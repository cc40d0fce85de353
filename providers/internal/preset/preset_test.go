package preset

import (
	"errors"
	"strings"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/oidc"
)

var acme = Provider{Name: "acme", Env: "ACME", Scopes: []string{"profile"}}

func acmeEndpoints() blueprint.OAuth2Config {
	return blueprint.OAuth2Config{AuthURL: "https://acme.example/authorize", TokenURL: "https://acme.example/token"}
}

func TestResolvedFillsOnlyEmptyFields(t *testing.T) {
	t.Setenv("ACME_CLIENT_ID", "env-id")
	t.Setenv("ACME_CLIENT_SECRET", "env-secret")
	a := App{ClientSecret: "given"}.Resolved(acme)
	if a.ClientID != "env-id" || a.ClientSecret != "given" || a.Name != "acme" || len(a.Scopes) != 1 {
		t.Fatalf("got %+v", a)
	}
	if a := (App{Name: "mine", Scopes: []string{}}).Resolved(acme); a.Name != "mine" || len(a.Scopes) != 0 {
		t.Fatalf("an app's name and explicit empty scopes must stay: %+v", a)
	}
}

// A newcomer who forgot the credentials learns which variables to set, for
// the client ID and the secret, whatever the protocol.
func TestMissingCredentialsNameTheVariables(t *testing.T) {
	t.Setenv("ACME_CLIENT_ID", "")
	t.Setenv("ACME_CLIENT_SECRET", "")
	for _, tc := range []struct {
		app   App
		field string
	}{{App{}, "ClientID"}, {App{ClientID: "id"}, "ClientSecret"}} {
		for kind, b := range map[string]interface{ Validate() error }{
			"OAuth 2.0": tc.app.OAuth2(acme, acmeEndpoints()),
			"OAuth 1.0a": tc.app.OAuth1(acme, blueprint.OAuth1Config{RequestTokenURL: "https://acme.example/rt",
				AuthorizeURL: "https://acme.example/a", AccessTokenURL: "https://acme.example/at"}),
			"OpenID Connect": tc.app.OIDC(acme, oidc.Config{Issuer: "https://acme.example"}),
		} {
			wantNamed(t, kind+" "+tc.field, b.Validate(), tc.field)
		}
	}
	pub := App{ClientID: "id", Options: blueprint.Options{PendingLoginsInSession: true}}
	if err := pub.OAuth2(Provider{Name: "pub", Env: "PUB", PublicClient: true}, acmeEndpoints()).Validate(); err != nil {
		t.Fatalf("a public client needs no secret: %v", err)
	}
}

// wantNamed fails unless err is an ErrConfig naming field and acme's
// variables.
func wantNamed(t *testing.T, what string, err error, field string) {
	t.Helper()
	if !errors.Is(err, blueprint.ErrConfig) {
		t.Fatalf("%s: got %v, want ErrConfig", what, err)
	}
	for _, want := range []string{"acme", field, "ACME_CLIENT_ID", "ACME_CLIENT_SECRET"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q does not name %q", what, err, want)
		}
	}
}

func TestOAuth2CarriesTheAppSettings(t *testing.T) {
	key := make([]byte, blueprint.LoginCookieKeySize)
	b := App{ClientID: "id", ClientSecret: "test-client-secret", RedirectURL: "https://app.example/login/acme/authorized",
		Options: blueprint.Options{LoginCookieKey: key}}.OAuth2(acme, acmeEndpoints())
	if err := b.Validate(); err != nil || b.Name() != "acme" {
		t.Fatalf("Validate: %v, name %q", err, b.Name())
	}
	bad := App{ClientID: "id", ClientSecret: "test-client-secret", Options: blueprint.Options{LoginCookieKey: []byte{}}}.OAuth2(acme, acmeEndpoints())
	if err := bad.Validate(); !errors.Is(err, blueprint.ErrConfig) {
		t.Fatalf("an empty LoginCookieKey in Options must reach the blueprint: %v", err)
	}
}

func TestOr(t *testing.T) {
	if Or("", "d") != "d" || Or("v", "d") != "v" {
		t.Fatal("Or")
	}
}
