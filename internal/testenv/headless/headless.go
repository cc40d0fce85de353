// Package headless starts the headless Chromium of the real-browser tests.
// It is a package of its own, under testenv, so that only the tests that
// drive a browser link chromedp: testenv's other users (the interop module
// among them) do not.
package headless

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gindance/gindance/internal/testenv"
)

// Browser starts a headless Chromium (testenv.Chromium finds it, skips
// without one and fails under CI=true) with a fresh profile, no first-run,
// sync, update or other background traffic and no proxy, and returns the
// context of its first tab, bounded to timeout. The browser is stopped and
// its profile removed when the test ends. A browser that will not start
// is testenv.Unavailable.
func Browser(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	path := testenv.Chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc) // runs before the profile's removal: the browser has exited
	tab, cancelTab := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		testenv.Unavailable(t, "headless Chromium at "+path, err)
	}
	return tab
}
