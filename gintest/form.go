package gintest

import (
	"crypto/subtle"
	"html/template"
	"net/http"
	"strings"
	"unicode"
)

// The interactive sign-in form, shown by /authorize when the Provider has
// no auto-approve user. It is a test fixture, not a production login
// page: any non-empty name signs in, and nothing is checked but a CSRF
// double-submit token (a random value in a hidden field and in a cookie of
// its own per form, so that forms open in several tabs at once all work).
//
// Browsers and headless browsers can drive it: the name is
// input[name=name], and the buttons are button[value=approve] ("Sign in")
// and button[value=deny] ("Deny").

const (
	csrfCookiePrefix = "gintest_csrf_" // followed by the token's first 16 characters
	csrfField        = "csrf_token"
	csrfLifetime     = 10 * 60 // seconds a form stays valid
)

// csrfCookieName is the name of the cookie that carries a form's token.
func csrfCookieName(token string) string { return csrfCookiePrefix + token[:16] }

type hiddenField struct{ Name, Value string }

type formData struct {
	ClientID string
	Scopes   []string
	Hidden   []hiddenField
	Name     string
	Error    string
}

var formTemplate = template.Must(template.New("form").Parse(pageHead("Sign in to the gintest provider") + `<main>
<h1>Sign in</h1>
<p>The application <strong id="client-id">{{.ClientID}}</strong> wants you to sign in.</p>
{{if .Scopes}}<p class="muted">It asks for these scopes:</p>
<ul class="chips" id="scopes">{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>
{{else}}<p class="muted">It asks for no scopes.</p>
{{end}}{{if .Error}}<p class="error" role="alert">{{.Error}}</p>
{{end}}<form method="post">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<label for="name">Name</label>
<input type="text" id="name" name="name" value="{{.Name}}" autocomplete="username" placeholder="Ada Lovelace" required autofocus>
<p class="muted">Any name signs you in: this is a test provider.</p>
<div class="actions">
<button class="primary" type="submit" name="action" value="approve">Sign in</button>
<button type="submit" name="action" value="deny" formnovalidate>Deny</button>
</div>
</form>
</main>
` + pageFoot))

var errorTemplate = template.Must(template.New("error").Parse(pageHead("gintest provider: bad authorization request") + `<main>
<h1>Bad authorization request</h1>
<p class="error" id="error">{{.}}</p>
<p class="muted">The provider does not redirect back to the application, because it cannot trust where to.</p>
</main>
` + pageFoot))

// errorPage answers 400 with an HTML page and no redirect.
func errorPage(w http.ResponseWriter, msg string) {
	pageHeaders(w)
	w.WriteHeader(http.StatusBadRequest)
	errorTemplate.Execute(w, msg)
}

// showForm renders the sign-in form carrying ar's parameters.
func (p *Provider) showForm(w http.ResponseWriter, r *http.Request, ar *authRequest, name, errMsg string, status int) {
	csrf := newSecret("")
	http.SetCookie(w, &http.Cookie{
		Name: csrfCookieName(csrf), Value: csrf, Path: "/", MaxAge: csrfLifetime,
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	d := formData{ClientID: ar.client.ID, Scopes: strings.Fields(ar.scope), Name: name, Error: errMsg}
	for _, k := range authParams {
		if v := ar.params.Get(k); v != "" {
			d.Hidden = append(d.Hidden, hiddenField{k, v})
		}
	}
	d.Hidden = append(d.Hidden, hiddenField{csrfField, csrf})
	pageHeaders(w)
	w.WriteHeader(status)
	formTemplate.Execute(w, d)
}

// submitForm handles the POSTed sign-in form, whose authorization
// parameters handleAuthorize has validated again.
func (p *Provider) submitForm(w http.ResponseWriter, r *http.Request, ar *authRequest, form map[string][]string) {
	get := func(k string) string {
		if v := form[k]; len(v) == 1 {
			return v[0]
		}
		return ""
	}
	token := get(csrfField)
	var c *http.Cookie
	err := http.ErrNoCookie
	if len(token) >= 32 {
		c, err = r.Cookie(csrfCookieName(token))
	}
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(token)) != 1 {
		errorPage(w, "The sign-in form expired or did not come from this provider (CSRF check failed). Start again from the application.")
		return
	}
	switch get("action") {
	case "deny":
		p.redirectError(w, r, ar, "access_denied", "the user denied the request")
	case "approve":
		name := strings.TrimSpace(get("name"))
		if name == "" {
			p.showForm(w, r, ar, "", "Enter a name to sign in.", http.StatusBadRequest)
			return
		}
		login := loginFor(name)
		p.approve(w, r, ar, User{
			ID:            "user-" + login,
			Login:         login,
			Name:          name,
			Email:         login + "@example.test",
			EmailVerified: true,
		})
	default:
		p.showForm(w, r, ar, get("name"), "Choose Sign in or Deny.", http.StatusBadRequest)
	}
}

// loginFor is the login name the form makes of a typed name: lower case,
// letters, digits, '-', '_' and '.' kept, each run of other characters one
// dot ("Ada Lovelace" signs in as ada.lovelace), so that it makes a
// plausible user ID and email address. A name with nothing kept gets
// "user".
func loginFor(name string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(name) {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' && r != '.' {
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteByte('.')
		}
		gap = false
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "user"
	}
	return b.String()
}
