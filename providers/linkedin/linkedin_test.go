package linkedin_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/linkedin"
	"github.com/gindance/gindance/providers/oidc"
)

// linkedinFake is LinkedIn's shape: client_secret_post only, PKCE refused
// at the token endpoint, no nonce in id_tokens, issuer under /oauth.
func linkedinFake(t *testing.T, claims map[string]any, user *gintest.User) (*presettest.Fake, *oidc.Blueprint, *[]error) {
	t.Setenv("LINKEDIN_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("LINKEDIN_CLIENT_SECRET", gintest.DefaultClientSecret)
	f := presettest.NewOIDC(t, gintest.OIDCOptions{User: user, Claims: claims,
		Quirks: gintest.OIDCQuirks{IssuerPath: "/oauth", PostAuthOnly: true, RejectPKCE: true, IgnoreNonce: true}})
	e := f.Endpoints()
	b := linkedin.New(linkedin.Config{Issuer: e.Issuer, APIBaseURL: e.APIBaseURL, Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}})
	var errs []error
	b.OnError(func(c *gin.Context, err error) { errs = append(errs, err); blueprint.DefaultErrorHandler(c, err) })
	return f, b, &errs
}

// TestLinkedInLogin: client_secret_post, no PKCE (LinkedIn answers
// invalid_client to a code_verifier), and an id_token without a nonce is
// accepted.
func TestLinkedInLogin(t *testing.T) {
	f, b, errs := linkedinFake(t, map[string]any{"given_name": "Ada", "family_name": "Lovelace"}, &gintest.User{ID: "782bbtaQ",
		Name: "Ada Lovelace", Email: "ada@example.test", EmailVerified: true, AvatarURL: "https://media.licdn.example/ada"})
	l := f.Login(t, b)
	if len(*errs) != 0 {
		t.Fatalf("errors %v", *errs)
	}
	presettest.WantClientAuth(t, presettest.WantOIDCLogin(t, l, "openid profile email", true), blueprint.ClientSecretPost)
	presettest.WantIdentity(t, l.Identity, blueprint.Identity{ID: "782bbtaQ", Username: "ada@example.test", Name: "Ada Lovelace",
		Email: "ada@example.test", EmailVerified: true, AvatarURL: "https://media.licdn.example/ada"})
}

// TestLinkedInWrongNonceIsStillRefused: a missing nonce is tolerated, a
// nonce of another login is not (OpenID Connect Core §3.1.3.7 step 11).
func TestLinkedInWrongNonceIsStillRefused(t *testing.T) {
	f, b, errs := linkedinFake(t, nil, nil)
	f.OIDC.Fail(gintest.OIDCFailure{WrongNonce: true})
	if l := f.Login(t, b); l.Status == http.StatusOK || len(*errs) != 1 || !errors.Is((*errs)[0], oidc.ErrNonce) {
		t.Fatalf("wrong nonce: %d, errors %v", l.Status, *errs)
	}
}

// TestLinkedInEmailVerifiedAsString: email_verified may come as a string;
// only "true" verifies.
func TestLinkedInEmailVerifiedAsString(t *testing.T) {
	for v, want := range map[string]bool{"true": true, "false": false} {
		f, b, _ := linkedinFake(t, map[string]any{"email_verified": v}, nil)
		l := f.Login(t, b)
		presettest.WantOIDCLogin(t, l, "openid profile email", true)
		if l.Identity.EmailVerified != want {
			t.Errorf("email_verified %q: verified %v", v, l.Identity.EmailVerified)
		}
	}
}

func TestLinkedInUnverifiedEmail(t *testing.T) {
	f, b, _ := linkedinFake(t, nil, &gintest.User{ID: "x", Name: "Eve", Email: "eve@example.test"})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email", true)
	if l.Identity.EmailVerified || l.Identity.Email != "eve@example.test" {
		t.Fatalf("identity %+v", l.Identity)
	}
}
