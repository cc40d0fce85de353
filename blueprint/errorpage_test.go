package blueprint_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/gintest"
)

// The default error page a user sees when a login fails: a title and a
// sentence for what happened (they pressed Deny: RFC 6749 §4.1.2.1
// access_denied), a way back and a way to try again, one inline stylesheet
// allowed by its hash in the Content-Security-Policy and nothing else, and
// nothing internal (no "gindance:", no provider name, no error_description).
func TestDefaultErrorPageSaysWhatHappenedAndNothingInternal(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fail     gintest.Failure
		status   int
		sentence string
	}{
		{"deny", gintest.Failure{Deny: true}, http.StatusForbidden, "You declined the sign-in"},
		{"provider error", gintest.Failure{AuthorizeError: "server_error"}, http.StatusUnauthorized, "could not sign you in"},
		{"token endpoint down", gintest.Failure{TokenStatus: http.StatusServiceUnavailable}, http.StatusBadGateway, "did not answer as expected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u-1", Login: "alice"}})
			t.Cleanup(p.Close)
			p.Fail(tc.fail)
			b := p.NewBlueprint("local")
			r := newEngine()
			b.Mount(r.Group("/login"))
			app := httpServer(t, r)
			page, err := gintest.NewBrowser().Get(app + "/login/local")
			if err != nil {
				t.Fatal(err)
			}
			if page.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", page.StatusCode, tc.status, page.Body)
			}
			for _, want := range []string{tc.sentence, `href="/"`, `href="/login/local"`, "Try again"} {
				if !strings.Contains(page.Body, want) {
					t.Errorf("the page lacks %q:\n%s", want, page.Body)
				}
			}
			for _, internal := range []string{"gindance", "local refused", "gintest", "injected", "HTTP 503", "exchange"} {
				if strings.Contains(page.Body, internal) {
					t.Errorf("the page shows %q:\n%s", internal, page.Body)
				}
			}
			styles := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(page.Body, -1)
			if len(styles) != 1 || strings.Contains(page.Body, "<script") || strings.Contains(page.Body, "style=") {
				t.Fatalf("want exactly one <style> and no script or style attribute:\n%s", page.Body)
			}
			sum := sha256.Sum256([]byte(styles[0][1]))
			csp := page.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'none'") ||
				!strings.Contains(csp, "style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
				t.Errorf("Content-Security-Policy %q does not pin the stylesheet by its hash", csp)
			}
		})
	}
}

// OnError replaces the default page entirely.
func TestOnErrorReplacesDefaultErrorPage(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u-1", Login: "alice"}})
	t.Cleanup(p.Close)
	p.Fail(gintest.Failure{Deny: true})
	b := p.NewBlueprint("local")
	b.OnError(func(c *gin.Context, err error) { c.String(http.StatusTeapot, "app's own page") })
	r := newEngine()
	b.Mount(r.Group("/login"))
	page, err := gintest.NewBrowser().Get(httpServer(t, r) + "/login/local")
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != http.StatusTeapot || page.Body != "app's own page" || page.Header.Get("Content-Security-Policy") != "" {
		t.Fatalf("%d %q CSP %q; want only the app's page", page.StatusCode, page.Body, page.Header.Get("Content-Security-Policy"))
	}
}

// httpServer serves h on a loopback test server and returns its URL.
func httpServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
