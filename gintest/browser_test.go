package gintest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The Browser follows redirects from one server to another and back,
// keeping each host's cookies, and records every hop.
func TestBrowserAcrossServers(t *testing.T) {
	var b2URL string
	a := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/start":
			http.SetCookie(w, &http.Cookie{Name: "a", Value: "1", Path: "/"})
			http.Redirect(w, r, b2URL+"/hop", http.StatusFound)
		case "/end":
			c, err := r.Cookie("a")
			if err != nil {
				http.Error(w, "no cookie a", 400)
				return
			}
			w.Write([]byte("a=" + c.Value))
		}
	}))
	defer a.Close()
	b2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2", Path: "/"})
		http.Redirect(w, r, a.URL+"/end", http.StatusSeeOther)
	}))
	defer b2.Close()
	b2URL = b2.URL

	br := NewBrowser()
	page, err := br.Get(a.URL + "/start")
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != 200 || page.Body != "a=1" {
		t.Fatalf("status %d body %q", page.StatusCode, page.Body)
	}
	var hops []string
	for _, h := range page.Hops {
		hops = append(hops, h.String())
	}
	want := []string{a.URL + "/start", b2.URL + "/hop", a.URL + "/end"}
	if strings.Join(hops, " ") != strings.Join(want, " ") {
		t.Errorf("hops %v, want %v", hops, want)
	}
	if page.URL.String() != a.URL+"/end" {
		t.Errorf("URL %s", page.URL)
	}
	// Both servers are on 127.0.0.1, and cookies ignore ports (RFC 6265 §8.5).
	if got := br.Cookies(b2.URL); len(got) != 2 {
		t.Errorf("cookies %v, want a and b", got)
	}

	// NoFollow shares the jar and stops at the first redirect.
	nf := br.NoFollow()
	page, err = nf.Get(a.URL + "/start")
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != http.StatusFound || page.Header.Get("Location") != b2.URL+"/hop" || len(page.Hops) != 1 {
		t.Fatalf("NoFollow: status %d Location %q hops %d", page.StatusCode, page.Header.Get("Location"), len(page.Hops))
	}
}

func TestBrowserBoundedBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", MaxPageBytes+1)))
	}))
	defer srv.Close()
	if _, err := NewBrowser().Get(srv.URL); err != ErrPageTooLarge {
		t.Fatalf("err %v, want ErrPageTooLarge", err)
	}
}

func TestBrowserRedirectLoop(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/again", http.StatusFound)
	}))
	defer srv.Close()
	if _, err := NewBrowser().Get(srv.URL); err == nil {
		t.Fatal("redirect loop did not stop")
	}
}
