package oidc_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildSnippet compiles body as the main function of a package inside this
// module (through go build's -overlay, so nothing is written to the source
// tree) and returns the compiler's output and whether it compiled.
func buildSnippet(t *testing.T, body string) (string, bool) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	src := filepath.Join(tmp, "main.go")
	code := `package main

import (
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/providers/github"
	"github.com/gindance/gindance/providers/google"
	"github.com/gindance/gindance/providers/oidc"
)

var _ = oidc.New
var _ = google.New
var _ = github.New

func main() {
	r := gin.New()
	` + body + `
}
`
	if err := os.WriteFile(src, []byte(code), 0o600); err != nil {
		t.Fatal(err)
	}
	virtual := filepath.Join(wd, "typedcheck", "main.go")
	ov, _ := json.Marshal(map[string]map[string]string{"Replace": {virtual: src}})
	overlay := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlay, ov, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-overlay", overlay, "-o", os.DevNull, "./typedcheck")
	cmd.Dir = wd
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Skipf("cannot run go build: %v", err)
	}
	return string(out), err == nil
}

// The back-channel logout handler (Back-Channel Logout 1.0) and the other
// OpenID Connect handlers take only a blueprint made for OpenID Connect:
// handing them a GitHub blueprint is a compile error, not a handler that
// answers 500 to every logout token.
func TestOIDCHandlersRefuseOtherBlueprintsAtCompileTime(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the compiler")
	}
	if out, ok := buildSnippet(t, `g := google.New(google.Config{})
	r.POST("/bcl", g.BackChannelLogoutHandler())
	r.GET("/logout", g.LogoutHandler())
	r.GET("/logout/done", g.LogoutCallbackHandler())
	r.POST("/bcl2", oidc.New("corp", oidc.Config{}).BackChannelLogoutHandler())`); !ok {
		t.Fatalf("an OpenID Connect blueprint's handlers do not compile:\n%s", out)
	}
	for name, misuse := range map[string]string{
		"method":   `r.POST("/bcl", github.New(github.Config{}).BackChannelLogoutHandler())`,
		"function": `r.POST("/bcl", oidc.BackChannelLogoutHandler(github.New(github.Config{})))`,
	} {
		out, ok := buildSnippet(t, misuse)
		if ok {
			t.Errorf("%s: a GitHub blueprint's back-channel logout handler compiled", name)
		} else if !strings.Contains(out, "BackChannelLogoutHandler") {
			t.Errorf("%s: the compiler failed for another reason:\n%s", name, out)
		}
	}
}
