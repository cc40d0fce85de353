package blueprint_test

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// responseModes are the two ways an authorization response reaches the
// callback: the query of a GET, and a form_post POST (FormPost).
var responseModes = []pendingMode{
	{"query", func(*blueprint.OAuth2Config) {}},
	{"form_post", func(c *blueprint.OAuth2Config) { c.FormPost = true }},
}

// forEachResponseMode runs fn once per responseMode, as a subtest.
func forEachResponseMode(t *testing.T, fn func(t *testing.T, mode pendingMode)) {
	for _, m := range responseModes {
		t.Run(m.name, func(t *testing.T) { fn(t, m) })
	}
}

// responseURL is the provider's answer to an authorization request as a
// callback URL with the response in its query: the Location of a
// redirect, or the action and fields of a form_post page.
func responseURL(t *testing.T, page *gintest.Page) string {
	t.Helper()
	if page.StatusCode == http.StatusFound || page.StatusCode == http.StatusSeeOther {
		return page.Header.Get("Location")
	}
	action, fields, ok := page.AutoSubmitForm()
	if !ok {
		t.Fatalf("the provider answered neither a redirect nor a form_post page: %d %q", page.StatusCode, page.Body)
	}
	u, err := url.Parse(action)
	if err != nil {
		t.Fatal(err)
	}
	u.RawQuery = fields.Encode()
	return u.String()
}

// deliver sends the authorization response in cb's query to the callback
// from browser br: a GET of cb, or with formPost a POST of the query as a
// urlencoded form to cb without its query, as a provider's form_post page
// does (Browser then also submits the blueprint's relay page).
func deliver(br *gintest.Browser, cb string, formPost bool) (*gintest.Page, error) {
	if !formPost {
		return br.Get(cb)
	}
	u, err := url.Parse(cb)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	u.RawQuery = ""
	return br.PostForm(u.String(), q)
}

// The form_post login asks for response_mode=form_post, and the gintest
// provider answers with a page that posts the response from its own
// origin; the blueprint relays it through a same-origin page and the login
// completes (OAuth 2.0 Form Post Response Mode §2).
func TestFormPostLoginCompletesThroughRelay(t *testing.T) {
	forEachPendingMode(t, func(t *testing.T, mode pendingMode) {
		f := newFixture(t, gintest.Options{}, mode.tweak, func(c *blueprint.OAuth2Config) { c.FormPost = true })
		start, err := f.browser.NoFollow().Get(f.app.URL + "/login/fake")
		if err != nil {
			t.Fatal(err)
		}
		if q := queryOf(t, start.Header.Get("Location")); q.Get("response_mode") != "form_post" {
			t.Fatalf("authorization request %s lacks response_mode=form_post", start.Header.Get("Location"))
		}
		page := f.get(t, "/login/fake?next=/me")
		if page.StatusCode != 200 || page.Body != "alice" {
			t.Fatalf("ended on %s %d %q", page.URL, page.StatusCode, page.Body)
		}
		var posts int
		for _, h := range page.Hops {
			if h.Path == "/login/fake/authorized" {
				posts++
				if h.RawQuery != "" {
					t.Errorf("the callback was requested with a query %q; form_post keeps the code out of URLs", h.RawQuery)
				}
			}
		}
		if posts != 2 {
			t.Fatalf("the callback was posted %d times; want the provider's post and the relay's: %v", posts, page.Hops)
		}
	})
}

// The relay page: only the response's own fields, escaped, posted back to
// the page's own URL, under a CSP that runs only its one script, and not
// cacheable.
func TestFormPostRelayPage(t *testing.T) {
	f := newFixture(t, gintest.Options{}, func(c *blueprint.OAuth2Config) { c.FormPost = true })
	cb := f.startLogin(t, "")
	q := queryOf(t, cb)
	q.Set("error_description", `"><script>alert(1)</script>`)
	q.Set("extra", "dropped")
	u, _ := url.Parse(cb)
	u.RawQuery = ""
	page, err := f.browser.NoFollow().PostForm(u.String(), q)
	if err != nil || page.StatusCode != http.StatusOK {
		t.Fatalf("%v %+v", err, page)
	}
	action, fields, ok := page.AutoSubmitForm()
	if !ok || action != u.String() {
		t.Fatalf("relay page posts to %q (%v); want %q", action, ok, u.String())
	}
	if fields.Get("code") != q.Get("code") || fields.Get("state") != q.Get("state") || fields.Has("extra") {
		t.Fatalf("relay fields %v", fields)
	}
	if strings.Contains(page.Body, "<script>alert") {
		t.Fatal("the relay page echoes a field unescaped")
	}
	csp := page.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
		mustContain(t, csp, want)
	}
	// The one script the page runs is the one the CSP allows by hash (CSP
	// Level 3 §8.4: the hash of the element's text): a script edited without
	// its hash would be blocked, leaving users a Continue button.
	scripts := regexp.MustCompile(`(?s)<script[^>]*>(.*?)</script>`).FindAllStringSubmatch(page.Body, -1)
	if len(scripts) != 1 {
		t.Fatalf("relay page has %d scripts, want 1: %s", len(scripts), page.Body)
	}
	sum := sha256.Sum256([]byte(scripts[0][1]))
	mustContain(t, csp, "script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"';")
	if page.Header.Get("Cache-Control") != "no-store" || page.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("headers %v", page.Header)
	}
	if f.p.Calls(gintest.EndpointToken) != 0 {
		t.Fatal("the relay page exchanged the code")
	}
}

// Mix-up of response modes: a form_post login answered in the query of a
// GET is refused and used up.
func TestAttackResponseModeFormPostLoginAnsweredByGET(t *testing.T) {
	forEachPendingMode(t, func(t *testing.T, mode pendingMode) {
		f := newFixture(t, gintest.Options{}, mode.tweak, func(c *blueprint.OAuth2Config) { c.FormPost = true })
		cb := f.startLogin(t, "")
		page, err := f.browser.Get(cb)
		if err != nil || page.StatusCode != http.StatusBadRequest || !errors.Is(f.lastErr(), blueprint.ErrResponseMode) {
			t.Fatalf("GET answer to a form_post login: %v %d %v", err, page.StatusCode, f.lastErr())
		}
		if f.p.Calls(gintest.EndpointToken) != 0 {
			t.Fatal("the code was exchanged")
		}
		if page, _ := f.deliver(f.browser, cb); page.StatusCode != http.StatusBadRequest || !errors.Is(f.lastErr(), blueprint.ErrStateMismatch) {
			t.Fatalf("the refused login was not used up: %d %v", page.StatusCode, f.lastErr())
		}
	})
}

// Mix-up of response modes the other way: a login that asked for the query
// mode (the blueprint's config changed since, or an attacker posts the
// response) is refused when its response arrives as a POST.
func TestAttackResponseModeQueryLoginAnsweredByPOST(t *testing.T) {
	forEachPendingMode(t, func(t *testing.T, mode pendingMode) {
		f := newFixture(t, gintest.Options{}, mode.tweak)
		cb := f.startLogin(t, "")
		// The same app, now with FormPost: same name, same session and
		// login cookie key, so it finds the login started in query mode.
		r := newEngine()
		var got error
		b := f.p.NewBlueprint("fake", mode.tweak, func(c *blueprint.OAuth2Config) { c.FormPost = true })
		b.OnError(func(c *gin.Context, err error) { got = err; blueprint.DefaultErrorHandler(c, err) })
		b.Mount(r.Group("/login"))
		app := httptest.NewServer(r)
		defer app.Close()
		cb = strings.Replace(cb, f.app.URL, app.URL, 1)
		page, err := deliver(f.browser, cb, true)
		if err != nil || page.StatusCode != http.StatusBadRequest || !errors.Is(got, blueprint.ErrResponseMode) {
			t.Fatalf("POST answer to a query login: %v %d %v", err, page.StatusCode, got)
		}
		if f.p.Calls(gintest.EndpointToken) != 0 {
			t.Fatal("the code was exchanged")
		}
	})
}

// A POST that is not an urlencoded form, or is too large, is refused
// before any login is looked at.
func TestFormPostRefusesUnreadableBodies(t *testing.T) {
	f := newFixture(t, gintest.Options{}, func(c *blueprint.OAuth2Config) { c.FormPost = true })
	cb := f.startLogin(t, "")
	u, _ := url.Parse(cb)
	q := u.Query()
	u.RawQuery = ""
	for name, req := range map[string]*http.Request{
		"json":     mustRequest(t, u.String(), "application/json", `{"code":"x"}`),
		"too big":  mustRequest(t, u.String(), "application/x-www-form-urlencoded", q.Encode()+"&pad="+strings.Repeat("x", blueprint.MaxFormPostBytes)),
		"no type":  mustRequest(t, u.String(), "", q.Encode()),
		"bad form": mustRequest(t, u.String(), "application/x-www-form-urlencoded", "%zz"),
	} {
		page, err := f.browser.Do(req)
		if err != nil || page.StatusCode != http.StatusBadRequest || !errors.Is(f.lastErr(), blueprint.ErrFormPost) {
			t.Fatalf("%s: %v %d %v", name, err, page.StatusCode, f.lastErr())
		}
	}
	if page, _ := f.deliver(f.browser, cb); page.StatusCode != http.StatusOK || page.Body != "home authorized=true" {
		t.Fatalf("the genuine response after the refused ones: %d %q", page.StatusCode, page.Body)
	}
}

// A query-mode blueprint serves no POST callback at all.
func TestQueryBlueprintHasNoPostCallback(t *testing.T) {
	f := newFixture(t, gintest.Options{})
	cb := f.startLogin(t, "")
	page, err := deliver(f.browser, cb, true)
	if err != nil || page.StatusCode != http.StatusNotFound {
		t.Fatalf("%v %d", err, page.StatusCode)
	}
}

func mustRequest(t *testing.T, target, contentType, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

// A form_post callback reads the response from the body only: the same
// parameters in the POST's query (where a form_post response never puts
// them) find no login.
func TestAttackFormPostParametersInQueryIgnored(t *testing.T) {
	f := newFixture(t, gintest.Options{}, func(c *blueprint.OAuth2Config) { c.FormPost = true })
	cb := f.startLogin(t, "")
	page, err := f.browser.PostForm(cb, url.Values{"gindance_relay": {"1"}})
	if err != nil || page.StatusCode != http.StatusBadRequest || !errors.Is(f.lastErr(), blueprint.ErrStateMismatch) {
		t.Fatalf("response in the POST's query: %v %d %v", err, page.StatusCode, f.lastErr())
	}
	if f.p.Calls(gintest.EndpointToken) != 0 {
		t.Fatal("the code was exchanged")
	}
}
