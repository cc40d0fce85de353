package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/gindance/gindance/gintest"
)

// The quickstart's whole story, as a browser would live it: log in through
// the provider's sign-in form, see the identity, call the API, log out.
func TestQuickstartLoginAPICallLogout(t *testing.T) {
	qs, err := start(context.Background(), "localhost:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer qs.Close()
	b := gintest.NewBrowser()

	home, err := b.Get(qs.AppURL + "/")
	if err != nil || !strings.Contains(home.Body, `href="/login/local"`) {
		t.Fatalf("home: %v %q", err, home.Body)
	}
	mustHaveStrictCSP(t, home)
	form, err := b.Get(qs.AppURL + "/login/local")
	if err != nil || !strings.HasPrefix(form.URL.String(), qs.ProviderURL) {
		t.Fatalf("login did not reach the provider's form: %v %v", err, form.URL)
	}
	page, err := b.SignIn(form, "ada")
	if err != nil || !strings.HasPrefix(page.URL.String(), qs.AppURL) || !strings.Contains(page.Body, `<strong id="username">ada</strong>`) {
		t.Fatalf("after sign-in: %v %v %q", err, page.URL, page.Body)
	}
	api, err := b.Get(qs.AppURL + "/api-call")
	if err != nil || !strings.Contains(api.Body, "<tr><th>login</th><td>ada</td></tr>") {
		t.Fatalf("API call: %v %q", err, api.Body)
	}
	out, err := b.PostForm(qs.AppURL+"/logout", nil)
	if err != nil || !strings.Contains(out.Body, "Not logged in.") || !strings.Contains(out.Body, "You are logged out.") {
		t.Fatalf("logout: %v %q; want it to say You are logged out.", err, out.Body)
	}
	if again, err := b.Get(qs.AppURL + "/"); err != nil || strings.Contains(again.Body, "You are logged out.") {
		t.Fatalf("the next page says again that the user logged out: %v %q", err, again.Body)
	}
	for _, c := range b.Cookies(qs.AppURL) {
		if c.Name == "quickstart" && len(c.Value) > 4096 {
			t.Fatalf("session cookie of %d bytes", len(c.Value))
		}
	}
}

// With a provider's credentials in the environment the quickstart offers it
// as well; without them it does not (and does not fail).
func TestQuickstartOffersRealProvidersOnlyWithCredentials(t *testing.T) {
	for _, withCreds := range []bool{false, true} {
		if withCreds {
			t.Setenv("GITHUB_CLIENT_ID", "id")
			t.Setenv("GITHUB_CLIENT_SECRET", "test-client-secret")
			t.Setenv("TWITTER_CLIENT_ID", "key")
			t.Setenv("TWITTER_CLIENT_SECRET", "test-client-secret")
		} else {
			t.Setenv("GITHUB_CLIENT_ID", "")
			t.Setenv("TWITTER_CLIENT_ID", "")
		}
		t.Setenv("GOOGLE_CLIENT_ID", "")
		qs, err := start(context.Background(), "localhost:0", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		home, err := gintest.NewBrowser().Get(qs.AppURL + "/")
		qs.Close()
		if err != nil || strings.Contains(home.Body, `href="/login/github"`) != withCreds ||
			strings.Contains(home.Body, `href="/login/twitter"`) != withCreds || strings.Contains(home.Body, "/login/google") {
			t.Fatalf("credentials %v: %v %q", withCreds, err, home.Body)
		}
	}
}

// mustHaveStrictCSP checks that page has one inline stylesheet and a
// Content-Security-Policy that allows it by hash and nothing else.
func mustHaveStrictCSP(t *testing.T, page *gintest.Page) {
	t.Helper()
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(page.Body, -1)
	if len(m) != 1 {
		t.Fatalf("%d <style> elements, want 1", len(m))
	}
	sum := sha256.Sum256([]byte(m[0][1]))
	want := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	if got := page.Header.Get("Content-Security-Policy"); got != want {
		t.Fatalf("CSP %q, want %q", got, want)
	}
	for _, external := range []string{"<script", "<link", "<img", "src=", "url(", "@import", "style=\""} {
		if strings.Contains(page.Body, external) {
			t.Fatalf("the page has %q", external)
		}
	}
}
