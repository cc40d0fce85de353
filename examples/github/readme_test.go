package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's minimal app and the copyable examples agree on the session
// cookie's Secure flag: on unless INSECURE_COOKIES=1. A minimal app that
// sets Secure: true and serves plain HTTP loses its session cookie in any
// browser that reaches it by another name than localhost.
func TestMinimalAppAndExamplesAgreeOnSecureCookies(t *testing.T) {
	const secure = `Secure: os.Getenv("INSECURE_COOKIES") != "1"`
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, app, ok := strings.Cut(string(readme), "## A minimal app\n")
	if !ok {
		t.Fatal(`README.md has no "## A minimal app" section`)
	}
	app, _, _ = strings.Cut(app, "\n```\n")
	if !strings.Contains(app, secure) || strings.Contains(app, "Secure: true") {
		t.Errorf("the README's minimal app does not set %s", secure)
	}
	for _, name := range []string{"github", "google", "twitter"} {
		src, err := os.ReadFile(filepath.Join("..", name, "main.go"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), secure) {
			t.Errorf("examples/%s does not set %s", name, secure)
		}
	}
}
