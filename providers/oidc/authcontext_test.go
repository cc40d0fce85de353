package oidc_test

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/oidc"
)

// loginErr logs in through f and returns the error OnError got, nil when
// the login succeeded.
func loginErr(t *testing.T, f *fixture) error {
	t.Helper()
	f.get(t, "/login/idp")
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.errs) == 0 {
		return nil
	}
	return f.errs[len(f.errs)-1]
}

// OpenID Connect Core §3.1.2.1 and §3.1.3.7 item 13: with MaxAge the login
// asks for max_age and refuses an id_token without auth_time or with one
// older than max_age; a recent authentication is accepted.
func TestMaxAgeRequiresRecentAuthTime_OIDCCore_3_1_3_7_13(t *testing.T) {
	maxAge := func(c *oidc.Config) { c.MaxAge = 5 * time.Minute }
	cases := map[string]struct {
		claims map[string]any
		want   error
	}{
		"recent":  {map[string]any{"auth_time": time.Now().Add(-time.Minute).Unix()}, nil},
		"missing": {nil, oidc.ErrAuthTime},
		"too old": {map[string]any{"auth_time": time.Now().Add(-time.Hour).Unix()}, oidc.ErrAuthTime},
	}
	for name, tc := range cases {
		f := newFixture(t, gintest.OIDCOptions{Claims: tc.claims}, maxAge)
		err := loginErr(t, f)
		if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: got %v, want %v", name, err, tc.want)
		}
	}
	f := newFixture(t, gintest.OIDCOptions{}, maxAge)
	page, err := f.browser.NoFollow().Get(f.app.URL + "/login/idp")
	if err != nil {
		t.Fatal(err)
	}
	mustHaveParam(t, page.Header.Get("Location"), "max_age", "300")
}

// OpenID Connect Core §3.1.3.7 item 12 and §5.5.1.1: an essential acr is
// requested (acr_values and the claims parameter) and a login whose acr is
// none of the values is refused.
func TestEssentialACRRefusesOtherACR_OIDCCore_3_1_3_7_12(t *testing.T) {
	const silver = "urn:mace:incommon:iap:silver"
	acr := func(c *oidc.Config) { c.ACRValues, c.RequireACR = []string{silver}, true }
	for name, tc := range map[string]struct {
		claims map[string]any
		ok     bool
	}{
		"honoured": {map[string]any{"acr": silver}, true},
		"other":    {map[string]any{"acr": "urn:mace:incommon:iap:bronze"}, false},
		"missing":  {nil, false},
	} {
		f := newFixture(t, gintest.OIDCOptions{Claims: tc.claims}, acr)
		err := loginErr(t, f)
		if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, oidc.ErrACR)) {
			t.Errorf("%s: %v", name, err)
		}
	}
	f := newFixture(t, gintest.OIDCOptions{}, acr)
	page, _ := f.browser.NoFollow().Get(f.app.URL + "/login/idp")
	mustHaveParam(t, page.Header.Get("Location"), "acr_values", silver)
	mustHaveParam(t, page.Header.Get("Location"), "claims", `{"id_token":{"acr":{"essential":true,"values":["`+silver+`"]}}}`)
	if err := oidc.New("x", oidc.Config{Issuer: "https://op.example", ClientID: "c", ClientSecret: "test-client-secret", RequireACR: true}).Validate(); !errors.Is(err, blueprint.ErrConfig) {
		t.Errorf("RequireACR without ACRValues: %v", err)
	}
}

// Options.ClockSkew: a provider clock a few seconds off (an id_token whose
// exp just passed, or whose iat is just ahead) is accepted with the
// default allowance and refused without one.
func TestClockSkewAllowance(t *testing.T) {
	cases := map[string]func() time.Time{
		"exp passed 2 s ago": func() time.Time { return time.Now().Add(-12 * time.Second) }, // 10 s tokens
		"iat 3 s ahead":      func() time.Time { return time.Now().Add(3 * time.Second) },
	}
	for name, clock := range cases {
		for _, skew := range []time.Duration{0, -1} {
			f := newFixture(t, gintest.OIDCOptions{Now: clock, TokenLifetime: 10 * time.Second},
				func(c *oidc.Config) { c.ClockSkew = skew })
			err := loginErr(t, f)
			if skew == 0 && err != nil {
				t.Errorf("%s with the default %v allowance: %v", name, blueprint.DefaultClockSkew, err)
			}
			if skew < 0 && !errors.Is(err, oidc.ErrIDToken) {
				t.Errorf("%s without allowance: %v, want ErrIDToken", name, err)
			}
		}
	}
}

// mustHaveParam fails unless the URL raw has the query parameter k = want.
func mustHaveParam(t *testing.T, raw, k, want string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Query().Get(k) != want {
		t.Fatalf("%s: %s = %q, want %q", raw, k, u.Query().Get(k), want)
	}
}

// UserInfo would send a DPoP-bound token as Bearer: refused at Mount.
func TestUserInfoWithDPoPIsAConfigError(t *testing.T) {
	cfg := oidc.Config{Issuer: "https://op.example", ClientID: "c", ClientSecret: "test-client-secret", UserInfo: true,
		Options: blueprint.Options{DPoP: true}}
	if err := oidc.New("x", cfg).Validate(); !errors.Is(err, blueprint.ErrConfig) {
		t.Fatalf("Validate = %v", err)
	}
}
