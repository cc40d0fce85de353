package docsnippets

import (
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

var (
	inlineLink = regexp.MustCompile(`\]\(([^)\s]+)(\s+"[^"]*")?\)`)
	refLink    = regexp.MustCompile(`(?m)^\s*\[[^\]]+\]:\s*(\S+)`)
	codeSpan   = regexp.MustCompile("`[^`\n]*`")
	htmlAnchor = regexp.MustCompile(`<a\s+(?:name|id)="([^"]+)"`)
	headingRe  = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	mdLinkText = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
)

// proseLines returns the lines of a Markdown text, with those of code
// fences (fence lines included) blanked: a link or heading in code is none.
func proseLines(text string) []string {
	var out []string
	fenced := false
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fenced = !fenced
			l = ""
		}
		if fenced {
			l = ""
		}
		out = append(out, l)
	}
	return out
}

// anchors returns the heading anchors GitHub makes for a Markdown text:
// the heading's text lowercased, everything but letters, digits, spaces,
// '-' and '_' dropped, spaces turned into '-', a repeated anchor suffixed
// -1, -2, ...; plus explicit <a name> and <a id> anchors.
func anchors(text string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, l := range proseLines(text) {
		for _, m := range htmlAnchor.FindAllStringSubmatch(l, -1) {
			out[m[1]] = true
		}
		m := headingRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		h := mdLinkText.ReplaceAllString(m[1], "$1")
		var b strings.Builder
		for _, r := range strings.ToLower(h) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		a := b.String()
		if n := seen[a]; n > 0 {
			out[a+"-"+itoa(n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}

// TestMarkdownRelativeLinks checks every relative link of the repository's
// Markdown files: the file it names exists, and a #fragment names a heading
// (or an explicit anchor) of that file.
func TestMarkdownRelativeLinks(t *testing.T) {
	root := repoRoot(t)
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 8 {
		t.Fatalf("found %d Markdown files; is the walk broken?", len(files))
	}
	texts := map[string]string{}
	read := func(p string) (string, bool) {
		if s, ok := texts[p]; ok {
			return s, true
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return "", false
		}
		texts[p] = string(b)
		return texts[p], true
	}
	checked := 0
	for _, f := range files {
		text, _ := read(f)
		rel, _ := filepath.Rel(root, f)
		for i, l := range proseLines(text) {
			l = codeSpan.ReplaceAllString(l, "")
			var targets []string
			for _, m := range inlineLink.FindAllStringSubmatch(l, -1) {
				targets = append(targets, m[1])
			}
			for _, m := range refLink.FindAllStringSubmatch(l, -1) {
				targets = append(targets, m[1])
			}
			for _, target := range targets {
				if u, err := url.Parse(target); err != nil || u.Scheme != "" || strings.HasPrefix(target, "//") {
					continue // absolute: not checked (no network)
				}
				checked++
				path, frag, _ := strings.Cut(target, "#")
				dest := f
				if path != "" {
					dest = filepath.Join(filepath.Dir(f), filepath.FromSlash(path))
					if _, err := os.Stat(dest); err != nil {
						t.Errorf("%s (line %d): link %q: %s does not exist", rel, i+1, target, path)
						continue
					}
				}
				if frag == "" {
					continue
				}
				if !strings.HasSuffix(dest, ".md") {
					t.Errorf("%s (line %d): link %q: an anchor into a file that is not Markdown", rel, i+1, target)
					continue
				}
				destText, _ := read(dest)
				if !anchors(destText)[frag] {
					t.Errorf("%s (line %d): link %q: no heading of %s makes the anchor #%s", rel, i+1, target, filepath.Base(dest), frag)
				}
			}
		}
	}
	if checked < 20 {
		t.Fatalf("checked %d relative links; README and docs/ have more: is the link parser broken?", checked)
	}
}

// TestAnchorsFollowGitHubRules pins the anchor rules on headings of the kind
// the docs use (code, punctuation, a repeated heading).
func TestAnchorsFollowGitHubRules(t *testing.T) {
	a := anchors("# A\n## `response_mode=form_post`\n## Back-channel logout (OpenID Connect Back-Channel Logout 1.0)\n" +
		"## Tokens beyond the handler: `HTTPClient`, `TokenSource`, background jobs\n## Limitations\n### Limitations\n```\n## not a heading\n```\n")
	for _, want := range []string{"a", "response_modeform_post", "back-channel-logout-openid-connect-back-channel-logout-10",
		"tokens-beyond-the-handler-httpclient-tokensource-background-jobs", "limitations", "limitations-1"} {
		if !a[want] {
			t.Errorf("no anchor %q in %v", want, a)
		}
	}
	if a["not-a-heading"] {
		t.Error("a heading inside a code fence made an anchor")
	}
}
