// Package catalogue holds only a test: it keeps the attack catalogue in
// SECURITY.md and the tests one to one.
package catalogue

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	funcDecl = regexp.MustCompile(`^func ((?:Test|Fuzz)\w+)\(`)
	testCell = regexp.MustCompile("^`((?:Test|Fuzz)\\w+)`$")
	// catalogued are the test names that must have a row: the catalogue's
	// own tests, the fuzz targets and the load tests, and the real-browser
	// tests of the examples (gintest's TestBrowser* test its Browser type).
	catalogued  = regexp.MustCompile(`^(TestAttack|TestLoad|Fuzz)`)
	realBrowser = regexp.MustCompile(`^TestBrowser`)
)

// SECURITY.md's catalogue table names each test once, every named test
// exists (in exactly one package), every TestAttack*, TestLoad* and Fuzz*
// function and every TestBrowser* of the examples has a row, and rows without a test say
// "pending:" and why.
func TestSecurityCatalogueMatchesTests(t *testing.T) {
	root := filepath.Join("..", "..")
	declared := map[string][]string{} // name -> files
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if m := funcDecl.FindStringSubmatch(sc.Text()); m != nil {
				declared[m[1]] = append(declared[m[1]], path)
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}

	doc, err := os.ReadFile(filepath.Join(root, "SECURITY.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	start, end := strings.Index(text, "<!-- catalogue:start -->"), strings.Index(text, "<!-- catalogue:end -->")
	if start < 0 || end < start {
		t.Fatal("SECURITY.md has no <!-- catalogue:start --> ... <!-- catalogue:end --> section")
	}
	rows, pending := 0, 0
	inTable := map[string]int{}
	for i, line := range strings.Split(text[start:end], "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|--") || strings.HasPrefix(line, "| Threat") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 3 {
			t.Errorf("catalogue line %d has %d cells, want 3 (threat, test, expected): %s", i, len(cells), line)
			continue
		}
		rows++
		cell := strings.TrimSpace(cells[1])
		if strings.HasPrefix(cell, "pending:") {
			pending++
			continue
		}
		m := testCell.FindStringSubmatch(cell)
		if m == nil {
			t.Errorf("catalogue line %d: test cell %q is neither `TestName` nor \"pending: ...\"", i, cell)
			continue
		}
		inTable[m[1]]++
		switch files := declared[m[1]]; {
		case len(files) == 0:
			t.Errorf("SECURITY.md names %s, which no test file declares", m[1])
		case len(files) > 1:
			t.Errorf("%s is declared in several packages (%v): the catalogue cannot tell which", m[1], files)
		}
	}
	for name, n := range inTable {
		if n > 1 {
			t.Errorf("SECURITY.md names %s in %d rows; the catalogue is one test per row", name, n)
		}
	}
	for name, files := range declared {
		inExamples := strings.HasPrefix(filepath.ToSlash(files[0]), "../../examples/")
		if (catalogued.MatchString(name) || realBrowser.MatchString(name) && inExamples) && inTable[name] == 0 {
			t.Errorf("%s (%s) has no row in SECURITY.md", name, files[0])
		}
	}
	if rows-pending < 30 {
		t.Errorf("only %d catalogue rows with tests", rows-pending)
	}
	t.Logf("%d rows: %d with tests, %d pending", rows, rows-pending, pending)
}
