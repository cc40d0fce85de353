package gintest_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gindance/gindance/gintest"
)

// OAuth 2.0 Form Post Response Mode §2: with response_mode=form_post the
// provider answers 200 with a page that posts code, state and iss to the
// redirect URI, instead of redirecting with them in the query.
func TestProviderFormPostAnswersWithAutoSubmittingPage(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "1", Login: "ada"}})
	defer p.Close()
	q := url.Values{"response_type": {"code"}, "client_id": {gintest.DefaultClientID},
		"redirect_uri": {"http://127.0.0.1:9/cb"}, "state": {"s-1"}, "response_mode": {"form_post"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
	page, err := gintest.NewBrowser().NoFollow().Get(p.AuthURL() + "?" + q.Encode())
	if err != nil || page.StatusCode != http.StatusOK {
		t.Fatalf("%v %+v", err, page)
	}
	action, fields, ok := page.AutoSubmitForm()
	if !ok || action != "http://127.0.0.1:9/cb" || fields.Get("code") == "" || fields.Get("state") != "s-1" || fields.Get("iss") != p.URL() {
		t.Fatalf("form_post page: %v %q %v\n%s", ok, action, fields, page.Body)
	}
	if page.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("headers %v", page.Header)
	}

	q.Set("response_mode", "fragment")
	page, err = gintest.NewBrowser().NoFollow().Get(p.AuthURL() + "?" + q.Encode())
	if err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("unsupported mode: %v %+v", err, page)
	}
	if loc, _ := url.Parse(page.Header.Get("Location")); loc.Query().Get("error") != "invalid_request" {
		t.Fatalf("unsupported mode answered %s", page.Header.Get("Location"))
	}
}

// A MultiTenant OIDCProvider names the template in discovery and signs
// each login's id_token with the issuer of the current tenant.
func TestOIDCProviderMultiTenant(t *testing.T) {
	p := gintest.StartOIDCProvider(gintest.OIDCOptions{MultiTenant: true})
	defer p.Close()
	if p.IssuerTemplate() != p.URL()+"/{tenantid}" || p.TenantIssuer("t1") != p.URL()+"/t1" {
		t.Fatalf("template %q issuer %q", p.IssuerTemplate(), p.TenantIssuer("t1"))
	}
	resp, err := http.Get(p.URL() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct{ Issuer string }
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.Issuer != p.IssuerTemplate() {
		t.Fatalf("discovery issuer %q: %v", doc.Issuer, err)
	}
	p.SetTenant("t2")
	parts := strings.Split(p.IDToken("n"), ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct{ Iss, Tid string }
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Iss != p.URL()+"/t2" || claims.Tid != "t2" {
		t.Fatalf("id_token claims %s: %v", payload, err)
	}
}
