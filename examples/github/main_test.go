package main

// The provider examples are meant to be copied: each main.go must build in
// a module of its own, with gindance as an ordinary dependency, and a
// missing credential or session key must stop it at startup with a message
// that says what to set.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// copiedExamples copies each example's main.go into a scratch module whose
// go.mod requires gindance through a replace directive to this checkout,
// builds them all, and returns the binaries by example name. It uses the
// module cache only (GOPROXY=off), so it works offline.
func copiedExamples(t *testing.T, names ...string) map[string]string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	rootMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	write := func(path string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The root module's requirements, indirect ones included, so that the
	// scratch module's graph is the root's: the module cache then holds
	// every go.mod it needs (with fewer requirements, go would look up
	// go.mod files of versions the root's pruned graph never needed).
	requires := regexp.MustCompile(`(?m)^module \S+$`).ReplaceAll(rootMod, []byte("module example.test/copied"))
	write(filepath.Join(mod, "go.mod"), append(requires,
		[]byte("\nrequire github.com/gindance/gindance v0.0.0\n\nreplace github.com/gindance/gindance => "+root+"\n")...))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(mod, "go.sum"), sum)
	for _, name := range names {
		src, err := os.ReadFile(filepath.Join(root, "examples", name, "main.go"))
		if err != nil {
			t.Fatal(err)
		}
		write(filepath.Join(mod, name, "main.go"), src)
	}
	bin := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, goBin, "build", "-o", bin+string(filepath.Separator), "./...")
	build.Dir = mod
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the copied examples do not build in a module of their own: %v\n%s", err, out)
	}
	bins := make(map[string]string, len(names))
	for _, name := range names {
		bins[name] = filepath.Join(bin, name)
	}
	return bins
}

// run starts bin with env added to an environment without any provider
// credentials or session keys, and returns its output once it exits.
func run(t *testing.T, bin string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = t.TempDir()
	for _, kv := range os.Environ() {
		if !strings.Contains(kv, "_CLIENT_") && !strings.HasPrefix(kv, "SESSION_") && !strings.HasPrefix(kv, "ADDR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Env = append(cmd.Env, "ADDR=127.0.0.1:0") // should it start after all, it binds nothing fixed
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s kept running instead of stopping at startup; output:\n%s", filepath.Base(bin), out.String())
	}
	if err == nil {
		t.Fatalf("%s exited 0; want a startup failure. Output:\n%s", filepath.Base(bin), out.String())
	}
	return out.String()
}

func TestCopiedExamplesStopAtStartupNamingWhatToSet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three programs in a scratch module")
	}
	bins := copiedExamples(t, "github", "google", "twitter")
	keys := []string{"SESSION_HASH_KEY=" + strings.Repeat("ab", 32), "SESSION_BLOCK_KEY=" + strings.Repeat("cd", 32)}
	for name, prefix := range map[string]string{"github": "GITHUB", "google": "GOOGLE", "twitter": "TWITTER"} {
		out := run(t, bins[name], keys...)
		for _, want := range []string{prefix + "_CLIENT_ID", prefix + "_CLIENT_SECRET"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s without credentials says %q; want it to name %s", name, out, want)
			}
		}
		if strings.Contains(out, "goroutine ") {
			t.Errorf("%s without credentials printed a stack trace:\n%s", name, out)
		}
	}
	// The mistake of following a raw-bytes recipe: a 32-character key is 16
	// bytes of hex, and a 64-byte raw key is no hex at all. Both fail at
	// startup with the variable and the command that makes a good one.
	for _, bad := range []string{strings.Repeat("k", 32), strings.Repeat("ab", 16), ""} {
		out := run(t, bins["github"], "GITHUB_CLIENT_ID=id", "GITHUB_CLIENT_SECRET=secret",
			"SESSION_HASH_KEY="+bad, "SESSION_BLOCK_KEY="+strings.Repeat("cd", 32))
		if !strings.Contains(out, "SESSION_HASH_KEY") || !strings.Contains(out, "openssl rand -hex 32") {
			t.Errorf("SESSION_HASH_KEY=%q: %q; want the variable and how to make a key", bad, out)
		}
	}
}
