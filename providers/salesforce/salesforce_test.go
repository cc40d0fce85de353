package salesforce_test

import (
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/oidc"
	"github.com/gindance/gindance/providers/salesforce"
)

const instance = "https://acme.my.salesforce.example"

// salesforceFake is Salesforce's shape: no expires_in, and instance_url,
// id, issued_at and signature in the token response.
func salesforceFake(t *testing.T, user *gintest.User, cfg salesforce.Config) (*presettest.Fake, *oidc.Blueprint) {
	t.Setenv("SALESFORCE_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("SALESFORCE_CLIENT_SECRET", gintest.DefaultClientSecret)
	f := presettest.NewOIDC(t, gintest.OIDCOptions{User: user, Quirks: gintest.OIDCQuirks{OmitExpiresIn: true, Revocation: true,
		TokenExtra: map[string]any{"instance_url": instance, "id": "https://login.salesforce.example/id/00Dxx/005xx",
			"issued_at": "1699999999999", "signature": "c2lnbmF0dXJl"}}})
	e := f.Endpoints()
	cfg.Issuer, cfg.HTTPClient, cfg.LoginCookieKey = e.Issuer, e.HTTPClient, e.LoginCookieKey
	return f, salesforce.New(cfg)
}

func TestSalesforceLogin(t *testing.T) {
	f, b := salesforceFake(t, &gintest.User{ID: "https://login.salesforce.example/id/00Dxx/005xx", Login: "ada@acme.example",
		Name: "Ada Lovelace", Email: "ada@acme.example", EmailVerified: true}, salesforce.Config{})
	l := f.Login(t, b)
	presettest.WantClientAuth(t, presettest.WantOIDCLogin(t, l, "openid profile email api", false), blueprint.ClientSecretBasic)
	presettest.WantIdentity(t, l.Identity, blueprint.Identity{ID: "https://login.salesforce.example/id/00Dxx/005xx",
		Username: "ada@acme.example", Name: "Ada Lovelace", Email: "ada@acme.example", EmailVerified: true})
}

// TestSalesforceInstanceURLFromTheTokenResponse: the org's API base comes
// in the token response, and the token has no expiry because Salesforce
// sends no expires_in.
func TestSalesforceInstanceURLFromTheTokenResponse(t *testing.T) {
	f, b := salesforceFake(t, nil, salesforce.Config{Offline: true})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email api refresh_token", false)
	if got := salesforce.InstanceURL(l.Token); got != instance {
		t.Errorf("InstanceURL = %q, want %q", got, instance)
	}
	if l.Token.Extra["id"] == nil || l.Token.Extra["signature"] == nil || !l.Token.Expiry.IsZero() {
		t.Errorf("token extra %v, expiry %v", l.Token.Extra, l.Token.Expiry)
	}
	if salesforce.InstanceURL(nil) != "" {
		t.Error("InstanceURL(nil)")
	}
}

func TestSalesforceLoginHosts(t *testing.T) {
	for _, tc := range []struct {
		myDomain string
		sandbox  bool
		want     string
	}{
		{"", false, "https://login.salesforce.com"},
		{"", true, "https://test.salesforce.com"},
		{"acme", false, "https://acme.my.salesforce.com"},
		{"acme--dev.sandbox.my.salesforce.com", true, "https://acme--dev.sandbox.my.salesforce.com"},
	} {
		if got := salesforce.Issuer(tc.myDomain, tc.sandbox); got != tc.want {
			t.Errorf("Issuer(%q, %v) = %q, want %q", tc.myDomain, tc.sandbox, got, tc.want)
		}
	}
}

func TestSalesforceUnverifiedEmailAndRevocation(t *testing.T) {
	f, b := salesforceFake(t, &gintest.User{ID: "005yy", Login: "eve@acme.example", Email: "eve@acme.example"}, salesforce.Config{})
	l := f.Login(t, b)
	presettest.WantOIDCLogin(t, l, "openid profile email api", false)
	if l.Identity.EmailVerified {
		t.Fatalf("identity %+v", l.Identity)
	}
	f.WantLogoutRevokes(t, l)
}
