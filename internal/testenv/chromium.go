package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// ChromiumEnv names the headless Chromium (or Chrome) binary for the
// real-browser tests; .ci/run sets it to Debian's /usr/bin/chromium.
const ChromiumEnv = "GINDANCE_CHROMIUM"

// Chromium returns the path of a Chromium binary: $GINDANCE_CHROMIUM, or
// else chromium, chromium-browser or google-chrome on $PATH. Without one the
// test is skipped with a message on a developer's machine and fails under
// CI=true, so CI cannot pass by skipping the browser tests.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(ChromiumEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			Unavailable(t, "headless Chromium ("+ChromiumEnv+"="+p+")", err)
		}
		return p
	}
	var last error
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		p, err := exec.LookPath(name)
		if err == nil {
			return p
		}
		last = err
	}
	Unavailable(t, "headless Chromium (install it, e.g. apt-get install chromium, or set "+ChromiumEnv+")", last)
	return ""
}
