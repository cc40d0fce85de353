package gintest

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// The root URL, which the quickstart prints, is a page that says what the
// provider is and lists its endpoints, not a bare 404.
func TestHomePageListsEndpoints(t *testing.T) {
	p := start(t, Options{})
	page, err := NewBrowser().Get(p.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %q", page.StatusCode, page.Header.Get("Content-Type"))
	}
	for _, want := range []string{"A fake OAuth 2.0 provider", p.URL(), "GET /authorize", "POST /token", "GET /api/me", "POST /revoke", "<li>" + DefaultClientID + "</li>"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	if nf, err := NewBrowser().Get(p.URL() + "/nothing-here"); err != nil || nf.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /nothing-here: %v %v, want 404", err, nf)
	}
}

// Every page has exactly one <style> element and no other resource, and
// its Content-Security-Policy allows that stylesheet by hash and nothing
// else: a changed stylesheet whose hash was not updated would render
// unstyled in a browser.
func TestPagesCSPAllowsOnlyTheirStylesheet(t *testing.T) {
	p := start(t, Options{})
	home, err := NewBrowser().Get(p.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	form, err := NewBrowser().Get(interactiveAuthURL(p, "st"))
	if err != nil {
		t.Fatal(err)
	}
	styles := regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	for _, page := range []*Page{home, form} {
		m := styles.FindAllStringSubmatch(page.Body, -1)
		if len(m) != 1 {
			t.Fatalf("%s: %d <style> elements, want 1", page.URL, len(m))
		}
		sum := sha256.Sum256([]byte(m[0][1]))
		want := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; frame-ancestors 'none'"
		if got := page.Header.Get("Content-Security-Policy"); got != want {
			t.Errorf("%s: CSP %q, want %q", page.URL, got, want)
		}
		for _, external := range []string{"<script", "<link", "<img", "src=", "url(", "@import"} {
			if strings.Contains(page.Body, external) {
				t.Errorf("%s: the page has %q", page.URL, external)
			}
		}
	}
}
