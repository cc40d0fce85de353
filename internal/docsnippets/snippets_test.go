package docsnippets

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// knownImports maps the package names fragments use to their import paths.
var knownImports = map[string]string{
	"blueprint":   "github.com/gindance/gindance/blueprint",
	"cookiestore": "github.com/gindance/gindance/storage/cookiestore",
	"encrypt":     "github.com/gindance/gindance/storage/encrypt",
	"github":      "github.com/gindance/gindance/providers/github",
	"oidc":        "github.com/gindance/gindance/providers/oidc",
	"sqlite":      "github.com/gindance/gindance/storage/sqlstore/sqlite",
	"sqlstore":    "github.com/gindance/gindance/storage/sqlstore",
	"storage":     "github.com/gindance/gindance/storage",
	"storagetest": "github.com/gindance/gindance/storage/storagetest",
	"gin":         "github.com/gin-gonic/gin",
	"sessions":    "github.com/gin-contrib/sessions",
	"context":     "context",
	"crypto":      "crypto",
	"errors":      "errors",
	"http":        "net/http",
	"log":         "log",
	"os":          "os",
	"sql":         "database/sql",
	"testing":     "testing",
	"time":        "time",
}

// snippet is one ```go block of a Markdown file.
type snippet struct {
	file string // relative to the repository root
	line int    // of the opening fence
	vars string // the go-snippet-vars comment's declarations, if any
	code string
}

var varsComment = regexp.MustCompile(`^<!--\s*go-snippet-vars:\s*(.*?)\s*-->$`)

// goBlocks returns the ```go blocks of the Markdown text.
func goBlocks(file, text string) []snippet {
	var out []snippet
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		fence := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(fence, "```") {
			continue
		}
		start := i
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, lines[i])
		}
		if fence != "```go" {
			continue
		}
		s := snippet{file: file, line: start + 1, code: strings.Join(body, "\n") + "\n"}
		if start > 0 {
			if m := varsComment.FindStringSubmatch(strings.TrimSpace(lines[start-1])); m != nil {
				s.vars = m[1]
			}
		}
		out = append(out, s)
	}
	return out
}

var (
	qualifier = regexp.MustCompile(`\b([a-z][a-z0-9]*)\.[A-Za-z]`)
	importRe  = regexp.MustCompile(`^import\s+(\w+\s+)?"[^"]+"\s*(//.*)?$`)
	topDecl   = regexp.MustCompile(`^(func|type|var|const)\b`)
)

// source turns a snippet into a Go file of package name.
func (s snippet) source(name string) string {
	if strings.HasPrefix(s.code, "package ") {
		return s.code
	}
	var imports, decls, stmts []string
	inDecl := false
	for _, l := range strings.Split(strings.TrimRight(s.code, "\n"), "\n") {
		switch {
		case importRe.MatchString(l):
			imports = append(imports, strings.TrimSpace(strings.TrimPrefix(l, "import")))
		case topDecl.MatchString(l):
			inDecl = true
			decls = append(decls, l)
		case inDecl:
			decls = append(decls, l)
			if l == "}" || l == ")" {
				inDecl = false
			}
		default:
			stmts = append(stmts, l)
		}
	}
	// Imports for the package names the fragment (and its vars) use,
	// unless it imports a package under that name itself.
	named := map[string]bool{}
	for _, im := range imports {
		if f := strings.Fields(im); len(f) == 2 {
			named[f[0]] = true
		}
	}
	text := s.code + "\n" + s.vars
	need := map[string]bool{}
	for _, m := range qualifier.FindAllStringSubmatch(stripComments(text), -1) {
		if p, ok := knownImports[m[1]]; ok && !named[m[1]] {
			need[fmt.Sprintf("%q", p)] = true
		}
	}
	for p := range need {
		imports = append(imports, p)
	}
	sort.Strings(imports)
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\n", name)
	for _, im := range imports {
		fmt.Fprintf(&b, "import %s\n", im)
	}
	if s.vars != "" {
		b.WriteString("\nvar (\n")
		for _, v := range strings.Split(s.vars, ";") {
			fmt.Fprintf(&b, "\t%s\n", strings.TrimSpace(v))
		}
		b.WriteString(")\n")
	}
	b.WriteString("\n" + strings.Join(decls, "\n") + "\n")
	if strings.TrimSpace(strings.Join(stmts, "")) != "" {
		b.WriteString("\nfunc _() {\n" + strings.Join(stmts, "\n") + "\n}\n")
	}
	return b.String()
}

// stripComments drops // comments and string literals, so that a package
// named only in a comment or a string does not get imported.
func stripComments(s string) string {
	s = regexp.MustCompile(`"(\\.|[^"\\])*"|`+"`[^`]*`").ReplaceAllString(s, `""`)
	return regexp.MustCompile(`//[^\n]*`).ReplaceAllString(s, "")
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found at %s: %v", root, err)
	}
	return root
}

// snippetFiles are the Markdown files whose Go blocks must compile.
func snippetFiles(t *testing.T, root string) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"README.md"}
	for _, d := range docs {
		files = append(files, filepath.Join("docs", filepath.Base(d)))
	}
	return files
}

// TestGoSnippetsCompile builds every Go block of README.md and docs/*.md,
// each as a package of its own under internal/docsnippets/snippets (which
// exists only in the build's overlay), with one go build.
func TestGoSnippetsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the snippet build runs go build")
	}
	root := repoRoot(t)
	var all []snippet
	for _, f := range snippetFiles(t, root) {
		text, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, goBlocks(f, string(text))...)
	}
	if len(all) < 10 {
		t.Fatalf("found %d Go blocks; the README and docs/ have more: is the fence parser broken?", len(all))
	}
	tmp := t.TempDir()
	overlay := map[string]string{}
	var pkgs []string
	where := map[string]snippet{} // by the wrapped file's path
	for i, s := range all {
		dir := filepath.Join(root, "internal", "docsnippets", "snippets", fmt.Sprintf("s%02d", i))
		src := filepath.Join(tmp, fmt.Sprintf("s%02d.go", i))
		name := fmt.Sprintf("s%02d", i)
		if strings.HasPrefix(s.code, "package main") {
			name = "main"
		}
		if err := os.WriteFile(src, []byte(s.source(name)), 0o644); err != nil {
			t.Fatal(err)
		}
		overlay[filepath.Join(dir, "snippet.go")] = src
		rel := "./internal/docsnippets/snippets/" + filepath.Base(dir)
		pkgs = append(pkgs, rel)
		where[src] = s
	}
	ov, err := json.Marshal(map[string]any{"Replace": overlay})
	if err != nil {
		t.Fatal(err)
	}
	ovFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(ovFile, ov, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", append([]string{"build", "-overlay", ovFile, "-o", os.DevNull}, pkgs...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOPROXY=off") // network-free: the module cache has every dependency
	out, err := cmd.CombinedOutput()
	if err != nil {
		// Name each failing block by its Markdown file and line.
		msg := string(out)
		for src, s := range where {
			msg = strings.ReplaceAll(msg, src, fmt.Sprintf("%s, the Go block at line %d, as wrapped in %s", s.file, s.line, src))
		}
		t.Fatalf("Go blocks of the docs do not compile:\n%s", msg)
	}
}
