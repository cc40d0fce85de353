package main

// Real-browser end-to-end tests: headless Chromium, driven by chromedp,
// against the quickstart app and its embedded provider on loopback (two
// hosts, localhost and 127.0.0.1, so the login crosses sites as with a real
// provider). They need Chromium: .ci/run installs Debian's and sets
// GINDANCE_CHROMIUM; on a machine without it they skip, under CI=true they
// fail (internal/testenv/headless).

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/gindance/gindance/internal/testenv/headless"
)

func startQuickstart(t *testing.T) *Quickstart {
	t.Helper()
	qs, err := start(context.Background(), "localhost:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(qs.Close)
	return qs
}

// signIn logs in from the app's home page through the provider's HTML form
// as name, and returns the username the app then shows.
func signIn(tab context.Context, qs *Quickstart, name string) (string, error) {
	if err := chromedp.Do(tab,
		chromedp.Navigate(qs.AppURL+"/"),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), name),
		chromedp.Click(chromedp.CSS(`button[value=approve]`)),
		chromedp.WaitVisible(chromedp.CSS("#username")),
	); err != nil {
		return "", err
	}
	return chromedp.Run(tab, chromedp.Text(chromedp.CSS("#username")))
}

// The whole story in a real browser: log in through the provider's sign-in
// form, land back on the app showing the identity, call the API through
// Client, log out.
func TestBrowserLoginAPICallLogout(t *testing.T) {
	qs := startQuickstart(t)
	tab := headless.Browser(t, 90*time.Second)
	shown, err := signIn(tab, qs, "ada")
	if err != nil || shown != "ada" {
		t.Fatalf("after sign-in the app shows %q: %v", shown, err)
	}
	loc, err := chromedp.Run(tab, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS("#api-call")),
		chromedp.WaitVisible(chromedp.CSS("#api-result")),
	); err != nil {
		t.Fatal(err)
	}
	api, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#api-result")))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab,
		chromedp.Navigate(qs.AppURL+"/"),
		chromedp.Click(chromedp.CSS("#logout")),
		chromedp.WaitVisible(chromedp.CSS("#login")),
	); err != nil {
		t.Fatal(err)
	}
	home, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	if loc != qs.AppURL+"/" {
		t.Errorf("landed on %q after login; want the app's home (no code or state left in the URL)", loc)
	}
	if !strings.Contains(api, "login\tada") {
		t.Errorf("API result %q", api)
	}
	if !strings.Contains(home, "Not logged in.") {
		t.Errorf("after logout: %q", home)
	}
}

// atOnce runs step in every tab concurrently, each bounded to 20 s, and
// returns each tab's error.
func atOnce(tabs []context.Context, step func(i int, tab context.Context) error) []error {
	errs := make([]error, len(tabs))
	var wg sync.WaitGroup
	for i, tab := range tabs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(tab, 20*time.Second)
			defer cancel()
			errs[i] = step(i, ctx)
		}()
	}
	wg.Wait()
	return errs
}

// Two tabs of one browser log in at the same time (two pending logins, each
// in its own cookie): both logins are started concurrently, both sign-ins
// are submitted concurrently, and both tabs end on the app, logged in.
func TestBrowserTwoTabsLogInAtOnce(t *testing.T) {
	qs := startQuickstart(t)
	tab1 := headless.Browser(t, 90*time.Second)
	tab2, cancel := chromedp.NewContext(tab1)
	t.Cleanup(cancel)
	if err := chromedp.Do(tab2, chromedp.Navigate("about:blank")); err != nil { // open the second tab first
		t.Fatal(err)
	}
	tabs := []context.Context{tab1, tab2}
	for i, err := range atOnce(tabs, func(_ int, tab context.Context) error {
		return chromedp.Do(tab, chromedp.Navigate(qs.AppURL+"/login/local"), chromedp.WaitVisible(chromedp.CSS(`input[name=name]`)))
	}) {
		if err != nil {
			t.Fatalf("tab %d: login start: %v", i+1, err)
		}
	}
	names := []string{"ana", "bob"}
	shown := make([]string, 2)
	errs := atOnce(tabs, func(i int, tab context.Context) error {
		err := chromedp.Do(tab,
			chromedp.SendKeys(chromedp.CSS(`input[name=name]`), names[i]),
			chromedp.Click(chromedp.CSS(`button[value=approve]`)),
			chromedp.WaitVisible(chromedp.CSS("#username")),
		)
		if err == nil {
			shown[i], err = chromedp.Run(tab, chromedp.Text(chromedp.CSS("#username")))
		}
		return err
	})
	for i, tab := range tabs {
		if errs[i] != nil || (shown[i] != "ana" && shown[i] != "bob") {
			loc, _ := chromedp.Run(tab, chromedp.Location())
			body, _ := chromedp.Run(tab, chromedp.Text(chromedp.CSS("body")))
			t.Errorf("tab %d: shows %q: %v; the tab is at %s showing %q", i+1, shown[i], errs[i], loc, body)
		}
	}
}

// The session cookie is HttpOnly and SameSite=Lax (so are the provider's),
// scripts cannot read it, the cross-site login works with it (the
// provider's redirect back is a top-level GET, which Lax allows), and a
// cross-site POST to /logout arrives without it, so another site cannot log
// the user out.
func TestBrowserCookiesHttpOnlyLaxAndFlowWorks(t *testing.T) {
	qs := startQuickstart(t)
	tab := headless.Browser(t, 90*time.Second)
	if shown, err := signIn(tab, qs, "ada"); err != nil || shown != "ada" {
		t.Fatalf("sign-in with Lax cookies: %q %v", shown, err)
	}
	res, err := chromedp.Call(tab, network.GetCookies, network.GetCookiesParams{URLs: []string{qs.AppURL + "/", qs.ProviderURL + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	cookies := res.Cookies
	script, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.cookie`))
	if err != nil {
		t.Fatal(err)
	}
	var session bool
	for _, c := range cookies {
		if !c.HTTPOnly || c.SameSite != network.CookieSameSiteLax {
			t.Errorf("cookie %s on %s: HttpOnly=%v SameSite=%q", c.Name, c.Domain, c.HTTPOnly, c.SameSite)
		}
		session = session || (c.Name == "quickstart" && c.Domain == "localhost")
	}
	if !session {
		t.Fatalf("no session cookie among %v", names(cookies))
	}
	if script != "" {
		t.Errorf("scripts can read cookies: %q", script)
	}

	// A page of another site (the provider's origin) posts a form to the
	// app's /logout: Lax keeps the cookie off the POST, the user stays
	// logged in.
	if err := chromedp.Do(tab,
		chromedp.Navigate(qs.ProviderURL+"/api/me"),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const f = document.createElement("form");
			f.method = "POST"; f.action = %q; document.body.appendChild(f); f.submit(); })()`, qs.AppURL+"/logout")),
		chromedp.WaitReady(chromedp.CSS("#api-call, #login")),
	); err != nil {
		t.Fatal(err)
	}
	after, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(after, "Logged in as ada") {
		t.Fatalf("a cross-site POST logged the user out: %q", after)
	}
}

func names(cs []*network.Cookie) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name+"@"+c.Domain)
	}
	return out
}
