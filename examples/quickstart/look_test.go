package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gindance/gindance/internal/testenv/headless"
)

// screenshotDir is where TestBrowserPagesLookFinished writes its PNGs:
// $GINDANCE_SCREENSHOTS when set (to look at them), else a temporary
// directory. Never a path in the repository.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("GINDANCE_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// styled returns the computed background of the page's header: the one
// its inline stylesheet sets when the CSP let the stylesheet through,
// transparent when it refused it.
func styled(tab context.Context) (string, error) {
	return chromedp.Run(tab, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("header")).backgroundColor`))
}

// Each page of the quickstart's story, in a real browser with the strict
// CSP both servers send: styled by its inline stylesheet (so the CSP lets
// it through), showing what it should. A screenshot of each is written to
// screenshotDir for a human to look at.
func TestBrowserPagesLookFinished(t *testing.T) {
	qs := startQuickstart(t)
	tab := headless.Browser(t, 90*time.Second)
	dir := screenshotDir(t)
	const appHeader, providerHeader = "rgb(15, 61, 56)", "rgb(46, 42, 110)"
	shot := func(name, header string, mustShow ...string) {
		t.Helper()
		if got, err := styled(tab); err != nil || got != header {
			t.Errorf("%s: header background %q (%v), want %s: the inline stylesheet was not applied", name, got, err, header)
		}
		body, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("body")))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range mustShow {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the page does not show %q; it shows %q", name, s, body)
			}
		}
		png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1200, 800), chromedp.Navigate(qs.AppURL+"/"), chromedp.WaitVisible(chromedp.CSS("#login"))); err != nil {
		t.Fatal(err)
	}
	shot("1-home", appHeader, "Not logged in.", "Log in with the local provider", qs.ProviderURL)

	if err := chromedp.Do(tab, chromedp.Navigate(qs.ProviderURL+"/"), chromedp.WaitVisible(chromedp.CSS("#endpoints"))); err != nil {
		t.Fatal(err)
	}
	shot("2-provider-home", providerHeader, "A fake OAuth 2.0 provider", "POST /token")

	if err := chromedp.Do(tab,
		chromedp.Navigate(qs.AppURL+"/login/local"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name]`)),
	); err != nil {
		t.Fatal(err)
	}
	shot("3-sign-in", providerHeader, "Sign in", "profile")

	if err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Ada Lovelace"),
		chromedp.Click(chromedp.CSS(`button[value=approve]`)),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.Click(chromedp.CSS("#api-call")),
		chromedp.WaitVisible(chromedp.CSS("#api-result")),
	); err != nil {
		t.Fatal(err)
	}
	// identity, the token's scopes and expiry, and the API's answer
	shot("4-logged-in", appHeader, "Ada Lovelace", "Logged in as ada.lovelace", "ada.lovelace@example.test",
		"Scopes", "profile", "Expires", "UTC (in ", "GET "+qs.ProviderURL+"/api/me", "200 OK", "email_verified")

	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#logged-out"))); err != nil {
		t.Fatal(err)
	}
	shot("5-logged-out", appHeader, "You are logged out.", "Log in with the local provider")

	// The user presses Deny at the provider: the library's default error
	// page, in the app's colours, says so and offers a way back.
	if err := chromedp.Do(tab,
		chromedp.Navigate(qs.AppURL+"/login/local"),
		chromedp.WaitVisible(chromedp.CSS(`button[value=deny]`)),
		chromedp.Click(chromedp.CSS(`button[value=deny]`)),
		chromedp.WaitVisible(chromedp.CSS("p.message")), // the error page's, which neither the provider nor the app has
	); err != nil {
		t.Fatal(err)
	}
	shot("6-declined", appHeader, "Sign-in cancelled", "You declined the sign-in", "Try again", "Back to the start page")
}
