package gintest

import (
	"html"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"sort"
)

// The form_post response mode (OAuth 2.0 Form Post Response Mode §2): an
// authorization request with response_mode=form_post is answered, by
// Provider and OIDCProvider alike, with an HTML page whose script posts the
// response parameters, urlencoded, to the redirect URI. The page is served
// from the provider's own origin, so in a real browser the POST is cross-
// origin (cross-site too, when the app runs on another host, such as
// localhost next to a provider on 127.0.0.1).

// ResponseModeFormPost is the response_mode value of form_post requests.
const ResponseModeFormPost = "form_post"

// formPostTemplate is the auto-submitting page. Browser recognises it (and
// any page with a form of the same shape) by its form's id.
var formPostTemplate = template.Must(template.New("form_post").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Returning to the application</title></head>
<body>
<form method="post" action="{{.Action}}" id="gintest-form-post">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<button type="submit">Continue</button>
</form>
<script>document.getElementById("gintest-form-post").submit();</script>
</body>
</html>
`))

// writeFormPost answers with the auto-submitting page that posts params to
// action.
func writeFormPost(w http.ResponseWriter, action string, params url.Values) {
	d := struct {
		Action string
		Fields []hiddenField
	}{Action: action}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range params[k] {
			d.Fields = append(d.Fields, hiddenField{k, v})
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	formPostTemplate.Execute(w, d)
}

// autoSubmitForm matches the opening tag of an auto-submitting form: the
// providers' form_post page and the blueprint's same-origin relay page
// (whose form has no action: it posts to the page's own URL).
var autoSubmitForm = regexp.MustCompile(`<form method="post"(?: action="([^"]*)")? id="(?:gintest|gindance)-form-post">`)

// AutoSubmitForm reports whether the page is an auto-submitting form (a
// form_post response of a provider, or a blueprint's relay page), and
// returns the absolute URL it posts to and its fields, for tests that
// inspect or alter a form_post response before delivering it with
// Browser.PostForm.
func (pg *Page) AutoSubmitForm() (action string, fields url.Values, ok bool) {
	m := autoSubmitForm.FindStringSubmatchIndex(pg.Body)
	if m == nil || pg.URL == nil {
		return "", nil, false
	}
	target := pg.URL
	if m[2] >= 0 {
		u, err := pg.URL.Parse(html.UnescapeString(pg.Body[m[2]:m[3]]))
		if err != nil {
			return "", nil, false
		}
		target = u
	}
	fields = url.Values{}
	for _, f := range hiddenInput.FindAllStringSubmatch(pg.Body[m[1]:], -1) {
		fields.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	return target.String(), fields, true
}
