package blueprint_test

// The attack catalogue, part 2: open redirects through next and Require.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// hostileNexts are next values a browser could read as another origin, in
// the forms that have fooled other libraries' sanitizers (RFC 9700 §4.11,
// CWE-601): scheme-relative, backslash variants (browsers treat "\" as "/"
// in http URLs), percent-encoded and double-encoded slashes, scheme
// without slashes, tabs and newlines (browsers strip them), leading
// whitespace, and overlong values.
var hostileNexts = []string{
	"//evil.example", "//evil.example/path", "///evil.example", "////evil.example",
	"/\\evil.example", "\\/evil.example", "\\\\evil.example", "/\\/evil.example",
	"%2F%2Fevil.example", "/%2F%2Fevil.example", "/%2f%2fevil.example", "/%2F/evil.example",
	"/%5Cevil.example", "/%5C%5Cevil.example", "/%252F%252Fevil.example", "/%25252F%25252Fevil.example",
	"https:evil.example", "https:/evil.example", "https://evil.example", "HTTPS://evil.example",
	"http:evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
	"/\t/evil.example", "/%09/evil.example", "\t//evil.example", " //evil.example", "/\n/evil.example",
	"/%0a/evil.example", "/%0d/evil.example", "/\r\n/evil.example", "/%0d%0aLocation:%20//evil.example",
	"/" + strings.Repeat("a", 1100), "/ok?" + strings.Repeat("b", 64<<10),
	"evil.example", "@evil.example", "/\x00//evil.example", "/%00/evil.example",
}

// RFC 9700 §4.11 (open redirector): every hostile next given at login ends
// on RedirectTo after the callback, never on the attacker's origin.
func TestAttackOpenRedirectNextVariants(t *testing.T) {
	f := newFixture(t, gintest.Options{}, func(c *blueprint.OAuth2Config) { c.RedirectTo = "/landing" })
	for _, next := range hostileNexts {
		cb := f.startLogin(t, next)
		page, err := f.browser.NoFollow().Get(cb)
		if err != nil || page.StatusCode != http.StatusFound {
			t.Fatalf("next %q: %v %+v", next, err, page)
		}
		if loc := page.Header.Get("Location"); loc != "/landing" {
			t.Errorf("next %q: Location %q; want RedirectTo", next, loc)
		}
	}
	// and a safe next is kept, query and all
	cb := f.startLogin(t, "/me?tab=2&q=%2F%2Fnot-a-host")
	if page, _ := f.browser.NoFollow().Get(cb); page.Header.Get("Location") != "/me?tab=2&q=%2F%2Fnot-a-host" {
		t.Fatalf("safe next lost: %q", page.Header.Get("Location"))
	}
}

// RFC 9700 §4.11: Require sends the user to the login with the page they
// asked for as next, and after the login back to exactly that path and
// query, however odd its (percent-encoded) characters. A request whose own
// path a browser would read as another origin gets no next at all.
func TestAttackRequireKeepsPathAndQuerySafely(t *testing.T) {
	f := newFixture(t, gintest.Options{})
	engine := f.app.Config.Handler.(*gin.Engine)
	engine.NoRoute(f.b.Require(), func(c *gin.Context) { c.String(http.StatusOK, "catch-all") })

	want := "/me?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&r=%2F%2Fevil.example&u=caf%C3%A9&e="
	page, err := f.browser.NoFollow().Get(f.app.URL + want)
	if err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("%v %+v", err, page)
	}
	if loc := page.Header.Get("Location"); loc != "/login/fake?next="+url.QueryEscape(want) {
		t.Fatalf("Require's Location %q", loc)
	}
	if page.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("Require's redirect is cacheable: %v", page.Header)
	}
	if page := f.get(t, want); page.URL.RequestURI() != want || page.Body != "alice" {
		t.Fatalf("after login ended on %s %q; want %s", page.URL.RequestURI(), page.Body, want)
	}

	// Paths that are themselves scheme-relative: Go's server keeps
	// "//evil.example/x" as the path; the login must not carry it.
	anon := gintest.NewBrowser().NoFollow()
	for _, p := range []string{"//evil.example/x", "/\\evil.example/x", "/%2F%2Fevil.example"} {
		page, err := anon.Get(f.app.URL + p)
		if err != nil || page.StatusCode != http.StatusFound {
			t.Fatalf("%s: %v %+v", p, err, page)
		}
		if loc := page.Header.Get("Location"); loc != "/login/fake" {
			t.Errorf("%s: Location %q; want the login without next", p, loc)
		}
	}
}
