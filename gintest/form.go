package gintest

import (
	"crypto/subtle"
	"html/template"
	"net/http"
	"strings"
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

var formTemplate = template.Must(template.New("form").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to the gintest provider</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}
label{display:block;margin:1rem 0 .25rem;font-weight:600}
input[type=text]{width:100%;padding:.5rem;box-sizing:border-box}
button{margin:1rem .5rem 0 0;padding:.5rem 1rem}
.error{color:#a00}.hint{color:#666;font-size:.9em}
</style>
</head>
<body>
<main>
<h1>Sign in to the gintest provider</h1>
<p>The application <strong id="client-id">{{.ClientID}}</strong> wants you to sign in.</p>
{{if .Scopes}}<p>It asks for these scopes:</p>
<ul id="scopes">{{range .Scopes}}<li><code>{{.}}</code></li>{{end}}</ul>
{{else}}<p>It asks for no scopes.</p>
{{end}}{{if .Error}}<p class="error" role="alert">{{.Error}}</p>
{{end}}<form method="post">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<label for="name">Name</label>
<input type="text" id="name" name="name" value="{{.Name}}" autocomplete="username" required autofocus>
<p class="hint">Any name signs you in. This is a test provider; do not use it in production.</p>
<button type="submit" name="action" value="approve">Sign in</button>
<button type="submit" name="action" value="deny" formnovalidate>Deny</button>
</form>
</main>
</body>
</html>
`))

var errorTemplate = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>gintest provider: bad authorization request</title>
</head>
<body>
<main>
<h1>Bad authorization request</h1>
<p id="error">{{.}}</p>
<p>The provider does not redirect back to the application, because it cannot trust where to.</p>
</main>
</body>
</html>
`))

func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
}

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
		p.approve(w, r, ar, User{
			ID:            "user-" + name,
			Login:         name,
			Name:          name,
			Email:         name + "@example.test",
			EmailVerified: true,
		})
	default:
		p.showForm(w, r, ar, get("name"), "Choose Sign in or Deny.", http.StatusBadRequest)
	}
}
