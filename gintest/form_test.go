package gintest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func interactiveAuthURL(p *Provider, state string, scopes ...string) string {
	conf := config(p)
	conf.Scopes = scopes
	return conf.AuthCodeURL(state, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
}

// The form shows the client and scopes, escapes whatever the client
// sent, and has the fields a headless browser needs.
func TestFormRendersEscaped(t *testing.T) {
	p := start(t, Options{})
	evil := `<script>alert("x")</script>`
	page, err := NewBrowser().Get(interactiveAuthURL(p, evil, "read:user", evil))
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != 200 || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("status %d, Content-Type %q", page.StatusCode, page.Header.Get("Content-Type"))
	}
	if strings.Contains(page.Body, "<script>") {
		t.Fatalf("unescaped <script> in the page:\n%s", page.Body)
	}
	for _, want := range []string{
		"Sign in to the gintest provider",
		DefaultClientID,
		"<li>read:user</li>",
		"<li>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</li>",
		`value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"`,
		`<input type="text" id="name" name="name"`,
		`<label for="name">`,
		`<button class="primary" type="submit" name="action" value="approve">Sign in</button>`,
		`<button type="submit" name="action" value="deny" formnovalidate>Deny</button>`,
		`name="csrf_token"`,
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if page.Header.Get("X-Frame-Options") != "DENY" {
		t.Error("the sign-in page can be framed (clickjacking)")
	}
}

// Posting the form with a name signs in as that name; the state, even a
// hostile one, comes back intact. A name with spaces keeps its spelling as
// the display name and makes a login, ID and email address without them.
func TestFormSignIn(t *testing.T) {
	for typed, want := range map[string]userJSON{
		"grace":           {ID: "user-grace", Login: "grace", Name: "grace", Email: "grace@example.test", EmailVerified: true},
		" Ada  Lovelace ": {ID: "user-ada.lovelace", Login: "ada.lovelace", Name: "Ada  Lovelace", Email: "ada.lovelace@example.test", EmailVerified: true},
		"Jean-Luc O'Neil": {ID: "user-jean-luc.o.neil", Login: "jean-luc.o.neil", Name: "Jean-Luc O'Neil", Email: "jean-luc.o.neil@example.test", EmailVerified: true},
		"!!!":             {ID: "user-user", Login: "user", Name: "!!!", Email: "user@example.test", EmailVerified: true},
	} {
		p := start(t, Options{})
		conf := config(p)
		v := oauth2.GenerateVerifier()
		state := `<script>"&`
		b := NewBrowser()
		form, err := b.Get(conf.AuthCodeURL(state, oauth2.S256ChallengeOption(v)))
		if err != nil {
			t.Fatal(err)
		}
		redirect, err := b.NoFollow().SignIn(form, typed)
		if err != nil {
			t.Fatal(err)
		}
		if redirect.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d, want 303; body %s", redirect.StatusCode, redirect.Body)
		}
		loc, _ := url.Parse(redirect.Header.Get("Location"))
		if loc.Query().Get("state") != state {
			t.Fatalf("state %q, want %q", loc.Query().Get("state"), state)
		}
		tok, err := conf.Exchange(bg, loc.Query().Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		if _, u, _ := me(t, p, tok.AccessToken); u != want {
			t.Fatalf("signed in as %q: /api/me = %+v, want %+v", typed, u, want)
		}
	}
}

func TestFormDeny(t *testing.T) {
	p := start(t, Options{})
	b := NewBrowser()
	form, err := b.Get(interactiveAuthURL(p, "st"))
	if err != nil {
		t.Fatal(err)
	}
	redirect, err := b.NoFollow().Deny(form)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := url.Parse(redirect.Header.Get("Location"))
	if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st" {
		t.Fatalf("redirect %s, want error=access_denied and state", loc)
	}
}

func TestFormEmptyName(t *testing.T) {
	p := start(t, Options{})
	b := NewBrowser()
	form, err := b.Get(interactiveAuthURL(p, "st"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.NoFollow().SignIn(form, "  ")
	if err != nil {
		t.Fatal(err)
	}
	if again.StatusCode != 400 || !strings.Contains(again.Body, "Enter a name") || again.Header.Get("Location") != "" {
		t.Fatalf("status %d, want the form again with an error", again.StatusCode)
	}
}

// The POST is validated again: tampering with hidden fields to point at
// an unregistered redirect_uri gets the error page.
func TestFormPostRevalidates(t *testing.T) {
	p := start(t, Options{})
	b := NewBrowser()
	form, err := b.Get(interactiveAuthURL(p, "st"))
	if err != nil {
		t.Fatal(err)
	}
	tampered := strings.Replace(form.Body, `value="http://127.0.0.1:9/callback"`, `value="https://evil.example.test/"`, 1)
	if tampered == form.Body {
		t.Fatal("redirect_uri hidden field not found")
	}
	form.Body = tampered
	page, err := b.NoFollow().SignIn(form, "mallory")
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != 400 || page.Header.Get("Location") != "" {
		t.Fatalf("status %d Location %q, want 400 and no redirect", page.StatusCode, page.Header.Get("Location"))
	}
}

// A POST without the CSRF cookie (a cross-site form post) is refused.
func TestFormCSRF(t *testing.T) {
	p := start(t, Options{})
	form, err := NewBrowser().Get(interactiveAuthURL(p, "st"))
	if err != nil {
		t.Fatal(err)
	}
	page, err := NewBrowser().NoFollow().SignIn(form, "mallory") // fresh jar
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != 400 || !strings.Contains(page.Body, "CSRF") {
		t.Fatalf("status %d, want 400 CSRF page", page.StatusCode)
	}
}

// Two tabs open the sign-in form at once, before either answer's cookie
// reached the browser: each form has a CSRF cookie of its own, so both
// sign-ins go through.
func TestFormsOpenedAtOnceInTwoTabs(t *testing.T) {
	p := start(t, Options{})
	b := NewBrowser()
	var forms []*Page
	for _, st := range []string{"tab1", "tab2"} {
		form, err := NewBrowser().Get(interactiveAuthURL(p, st)) // no cookie yet, as in a race
		if err != nil || form.StatusCode != 200 {
			t.Fatalf("form: %v %+v", err, form)
		}
		u, _ := url.Parse(p.URL())
		b.Client.Jar.SetCookies(u, (&http.Response{Header: form.Header}).Cookies())
		forms = append(forms, form)
	}
	for i, form := range forms {
		page, err := b.NoFollow().SignIn(form, "ada")
		if err != nil || page.StatusCode != http.StatusSeeOther || !strings.Contains(page.Header.Get("Location"), "code=") {
			t.Fatalf("tab %d: %v %d %q", i+1, err, page.StatusCode, page.Body)
		}
	}
}
