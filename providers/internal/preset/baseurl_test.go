package preset

import "testing"

func TestBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"acme.okta.com": "https://acme.okta.com", "https://acme.okta.com/": "https://acme.okta.com",
		"acme.okta.com/": "https://acme.okta.com", " sso.example.com ": "https://sso.example.com",
		"http://127.0.0.1:8080": "http://127.0.0.1:8080", "": "",
		"HTTPS://acme.okta.com/": "https://acme.okta.com", // schemes are case-insensitive; issuers compare exactly
	} {
		if got := BaseURL(in); got != want {
			t.Errorf("BaseURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAddScopes(t *testing.T) {
	def := []string{"profile", "email"}
	if got := AddScopes(nil, def, "offline_access"); len(got) != 3 || got[2] != "offline_access" || len(def) != 2 {
		t.Fatalf("nil scopes: %v (default %v)", got, def)
	}
	if got := AddScopes([]string{"email", "offline_access"}, def, "offline_access"); len(got) != 2 {
		t.Fatalf("already there: %v", got)
	}
}
