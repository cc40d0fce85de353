package gintest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func startOIDCQuirks(t *testing.T, q OIDCQuirks) *OIDCProvider {
	t.Helper()
	p := StartOIDCProvider(OIDCOptions{Quirks: q})
	t.Cleanup(p.Close)
	return p
}

// quirkCode runs /authorize with a nonce (and PKCE unless verifier is "")
// and returns the code.
func quirkCode(t *testing.T, p *OIDCProvider, verifier string) string {
	t.Helper()
	q := url.Values{"client_id": {DefaultClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"},
		"scope": {"openid email"}, "state": {"st8"}, "nonce": {"n-1"}}
	if verifier != "" {
		q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(verifier))
		q.Set("code_challenge_method", "S256")
	}
	loc := authorizeRedirect(t, p.URL()+"/authorize?"+q.Encode())
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("no code: %s", loc)
	}
	return code
}

func codeForm(code, verifier string) url.Values {
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect}}
	if verifier != "" {
		f.Set("code_verifier", verifier)
	}
	return f
}

func withPostAuth(f url.Values) url.Values {
	f.Set("client_id", DefaultClientID)
	f.Set("client_secret", DefaultClientSecret)
	return f
}

func claimsOf(t *testing.T, idToken string) map[string]any {
	t.Helper()
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		t.Fatalf("id_token %q", idToken)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func discover(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	json.NewDecoder(resp.Body).Decode(&doc)
	return resp.StatusCode, doc
}

func TestOIDCQuirkIssuerPath(t *testing.T) {
	for _, path := range []string{"/realms/acme", "/application/o/app/", "/"} {
		p := startOIDCQuirks(t, OIDCQuirks{IssuerPath: path})
		if p.Issuer() != p.URL()+path {
			t.Fatalf("%s: issuer %q", path, p.Issuer())
		}
		status, doc := discover(t, strings.TrimSuffix(p.Issuer(), "/")+"/.well-known/openid-configuration")
		if status != http.StatusOK || doc["issuer"] != p.Issuer() {
			t.Fatalf("%s: discovery %d %v", path, status, doc["issuer"])
		}
		v := oauth2.GenerateVerifier()
		status, body := postForm(t, p.URL()+"/token", codeForm(quirkCode(t, p, v), v), true)
		if status != http.StatusOK || claimsOf(t, body["id_token"].(string))["iss"] != p.Issuer() {
			t.Fatalf("%s: token %d %v", path, status, body)
		}
	}
}

func TestOIDCQuirkPostAuthOnly(t *testing.T) {
	p := startOIDCQuirks(t, OIDCQuirks{PostAuthOnly: true})
	v := oauth2.GenerateVerifier()
	code := quirkCode(t, p, v)
	if status, body := postForm(t, p.URL()+"/token", codeForm(code, v), true); status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Fatalf("Basic auth: %d %v, want invalid_client", status, body)
	}
	if status, body := postForm(t, p.URL()+"/token", withPostAuth(codeForm(code, v)), false); status != http.StatusOK {
		t.Fatalf("client_secret_post: %d %v", status, body)
	}
	if _, doc := discover(t, p.URL()+"/.well-known/openid-configuration"); doc["token_endpoint_auth_methods_supported"] == nil {
		t.Fatalf("discovery does not say client_secret_post: %v", doc)
	}
}

func TestOIDCQuirkIgnoreNonce(t *testing.T) {
	p := startOIDCQuirks(t, OIDCQuirks{IgnoreNonce: true})
	v := oauth2.GenerateVerifier()
	_, body := postForm(t, p.URL()+"/token", codeForm(quirkCode(t, p, v), v), true)
	if c := claimsOf(t, body["id_token"].(string)); c["nonce"] != nil || c["sub"] != "u-1" {
		t.Fatalf("claims %v, want no nonce", c)
	}
}

func TestOIDCQuirkRejectPKCE(t *testing.T) {
	p := startOIDCQuirks(t, OIDCQuirks{RejectPKCE: true})
	v := oauth2.GenerateVerifier()
	if status, body := postForm(t, p.URL()+"/token", codeForm(quirkCode(t, p, v), v), true); status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Fatalf("with code_verifier: %d %v, want invalid_client", status, body)
	}
	if status, body := postForm(t, p.URL()+"/token", codeForm(quirkCode(t, p, ""), ""), true); status != http.StatusOK {
		t.Fatalf("without PKCE: %d %v", status, body)
	}
	// Without the quirk, a login without PKCE is refused at /authorize.
	plain := startOIDCQuirks(t, OIDCQuirks{})
	q := url.Values{"client_id": {DefaultClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"}, "scope": {"openid"}}
	if loc := authorizeRedirect(t, plain.URL()+"/authorize?"+q.Encode()); loc.Query().Get("error") != "invalid_request" {
		t.Fatalf("no PKCE without the quirk: %s", loc)
	}
}

func TestOIDCQuirkTokenResponseShape(t *testing.T) {
	p := startOIDCQuirks(t, OIDCQuirks{ScopeArray: true, OmitExpiresIn: true, TokenExtra: map[string]any{"instance_url": "https://na1.example.test"}})
	v := oauth2.GenerateVerifier()
	_, body := postForm(t, p.URL()+"/token", codeForm(quirkCode(t, p, v), v), true)
	scopes, _ := body["scope"].([]any)
	if len(scopes) != 2 || scopes[0] != "openid" || body["expires_in"] != nil || body["instance_url"] != "https://na1.example.test" {
		t.Fatalf("token response %v", body)
	}
}

func TestOIDCQuirkRevocation(t *testing.T) {
	p := startOIDCQuirks(t, OIDCQuirks{Revocation: true})
	if _, doc := discover(t, p.URL()+"/.well-known/openid-configuration"); doc["revocation_endpoint"] != p.URL()+"/revoke" {
		t.Fatalf("discovery %v", doc)
	}
	v := oauth2.GenerateVerifier()
	_, body := postForm(t, p.URL()+"/token", codeForm(quirkCode(t, p, v), v), true)
	access := body["access_token"].(string)
	if status, _ := postForm(t, p.URL()+"/revoke", url.Values{"token": {access}}, false); status != http.StatusUnauthorized {
		t.Fatalf("revocation without client auth: %d", status)
	}
	if status, _ := postForm(t, p.URL()+"/revoke", url.Values{"token": {access}}, true); status != http.StatusOK {
		t.Fatalf("revocation: %d", status)
	}
	req, _ := http.NewRequest(http.MethodGet, p.URL()+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || len(p.Revocations()) != 1 || p.Revocations()[0].Get("token") != access {
		t.Fatalf("after revocation: userinfo %d, revocations %v", resp.StatusCode, p.Revocations())
	}
}

func TestOIDCQuirkOKEnvelope(t *testing.T) {
	p := startOIDCQuirks(t, OIDCQuirks{OKEnvelope: true})
	v := oauth2.GenerateVerifier()
	code := quirkCode(t, p, v)
	if status, body := postForm(t, p.URL()+"/token", codeForm(code, v), true); status != http.StatusOK || body["ok"] != true || body["access_token"] == nil {
		t.Fatalf("success: %d %v", status, body)
	}
	if status, body := postForm(t, p.URL()+"/token", codeForm(code, v), true); status != http.StatusOK || body["ok"] != false || body["error"] != "invalid_grant" {
		t.Fatalf("replayed code: %d %v, want 200 with ok false", status, body)
	}
}
