package main

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

// page is what the one page of the app shows.
type page struct {
	Provider string              // the fake provider's URL
	Identity *blueprint.Identity // nil: not logged in
	Token    *tokenInfo
	API      *apiCall // nil: no call made on this request
	Error    string
	Real     []realProvider // presets whose credentials are set
	// LoggedOut: the user has just logged out (a flash the logout left in
	// the session).
	LoggedOut bool
}

// loggedOutFlash is the session flash the logout leaves for the next page.
const loggedOutFlash = "logged-out"

// realProvider is a preset offered next to the local provider.
type realProvider struct {
	Title, Login, User string
	b                  *blueprint.Blueprint
}

// tokenInfo is what the page says about the user's token: never the token.
type tokenInfo struct {
	Type      string
	Scopes    []string
	Expires   string // "" when it does not expire
	ExpiresIn string
	Refresh   bool
}

// apiCall is a call made through Client and its answer.
type apiCall struct {
	Path   string
	Fields []field
	Error  string
}

type field struct{ Key, Value string }

func describe(tok *blueprint.Token, now time.Time) *tokenInfo {
	ti := &tokenInfo{Type: tok.TokenType, Scopes: tok.Scopes, Refresh: tok.RefreshToken != ""}
	if ti.Type == "" {
		ti.Type = "Bearer"
	}
	if !tok.Expiry.IsZero() {
		ti.Expires = tok.Expiry.UTC().Format("15:04:05 UTC")
		switch left := tok.Expiry.Sub(now).Round(time.Minute); {
		case left <= 0:
			ti.ExpiresIn = "now: it is refreshed on the next API call"
		case left <= time.Hour:
			ti.ExpiresIn = fmt.Sprintf("in %d min", int(left.Minutes()))
		default:
			ti.ExpiresIn = fmt.Sprintf("in %d h %d min", int(left.Hours()), int(left.Minutes())%60)
		}
	}
	return ti
}

// fields lists a JSON object's members in key order.
func fields(m map[string]any) []field {
	out := make([]field, 0, len(m))
	for k, v := range m {
		out = append(out, field{k, fmt.Sprint(v)})
	}
	slices.SortFunc(out, func(a, b field) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// initial is the letter shown in the avatar circle.
func initial(id *blueprint.Identity) string {
	for _, s := range []string{id.Name, id.Username} {
		if r, _ := utf8.DecodeRuneInString(s); r != utf8.RuneError && unicode.IsLetter(r) {
			return string(unicode.ToUpper(r))
		}
	}
	return "?"
}

// css is the app's one stylesheet, inline in every page; csp allows it
// by hash and nothing else (no script, image, font or frame).
const css = `*{box-sizing:border-box}
body{margin:0;min-height:100vh;background:#f3f5f4;color:#17211f;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header{display:flex;align-items:center;gap:.6rem;padding:.9rem 2rem;background:#0f3d38;color:#fff}
.logo{font-weight:700;font-size:1.1rem;letter-spacing:.01em}
.logo span{color:#5eead4}
.pill{padding:.1rem .6rem;border-radius:999px;background:rgba(255,255,255,.14);font-size:.75rem}
.who{margin-left:auto;font-size:.9rem;opacity:.9}
main{max-width:60rem;margin:2.5rem auto;padding:0 1.5rem;display:grid;grid-template-columns:1fr 1fr;gap:1.25rem}
@media (max-width:44rem){main{grid-template-columns:1fr}}
.card{padding:1.5rem;background:#fff;border-radius:.9rem;box-shadow:0 1px 2px rgba(16,24,40,.06),0 8px 24px rgba(16,24,40,.07)}
.wide{grid-column:1/-1}
h1{margin:0 0 .5rem;font-size:1.5rem;line-height:1.3}
h2{margin:0 0 .9rem;color:#4b5a57;font-size:.8rem;font-weight:650;letter-spacing:.06em;text-transform:uppercase}
p{margin:.45rem 0}
a{color:#0f766e}
.muted{color:#5b6b68;font-size:.9rem}
.person{display:flex;align-items:center;gap:1rem}
.avatar{display:flex;align-items:center;justify-content:center;flex:none;width:3.25rem;height:3.25rem;border-radius:50%;background:linear-gradient(135deg,#14b8a6,#0f766e);color:#fff;font-size:1.4rem;font-weight:700}
.name{font-size:1.15rem;font-weight:650}
.badge{display:inline-block;margin-left:.35rem;padding:0 .5rem;border-radius:999px;background:#dcfce7;color:#166534;font-size:.75rem;font-weight:600}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:1rem 0 0}
dt{color:#5b6b68}
dd{margin:0;overflow-wrap:anywhere}
code,.chips li{font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#e6f4f1;color:#0f5b52;padding:.05rem .45rem;border-radius:.35rem}
.chips{display:inline-flex;flex-wrap:wrap;gap:.35rem;margin:0;padding:0;list-style:none}
.button{display:inline-block;padding:.6rem 1.1rem;border:1px solid #0f766e;border-radius:.5rem;background:#0f766e;color:#fff;font:inherit;font-weight:600;text-decoration:none;cursor:pointer}
.button.quiet{background:#fff;color:#0f766e}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;margin-top:1.2rem}
form{margin:0}
table{width:100%;border-collapse:collapse}
th,td{padding:.45rem .5rem;border-bottom:1px solid #e5ebe9;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{width:35%;color:#5b6b68;font-weight:500}
.status{float:right;padding:0 .5rem;border-radius:999px;background:#dcfce7;color:#166534;font-size:.8rem;font-weight:600}
.notice{padding:.6rem .8rem;border:1px solid #99f6e4;border-radius:.5rem;background:#f0fdfa;color:#115e59;font-weight:600}
.error{padding:.6rem .8rem;border:1px solid #fecaca;border-radius:.5rem;background:#fef2f2;color:#991b1b}
ol{margin:.5rem 0 0;padding-left:1.2rem}
li{margin:.2rem 0}
footer{margin:0 auto 2rem;color:#7b8a87;font-size:.8rem;text-align:center}
`

var csp = func() string {
	sum := sha256.Sum256([]byte(css))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}()

var tmpl = template.Must(template.New("page").Funcs(template.FuncMap{"initial": initial}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gindance quickstart</title>
<style>` + css + `</style>
</head>
<body>
<header><span class="logo">gin<span>dance</span></span><span class="pill">quickstart</span>
{{with .Identity}}<span class="who">{{.Username}}</span>{{end}}</header>
<main>
{{if .Error}}<p id="error" class="error wide">{{.Error}}</p>{{end}}
{{range .Real}}{{if .User}}<p class="real-user card wide">{{.Title}}: logged in as <strong>{{.User}}</strong>.</p>{{end}}{{end}}
{{with .Identity}}
<section class="card">
  <h2>Identity</h2>
  <div class="person">
    <div class="avatar">{{initial .}}</div>
    <div>
      <div class="name">{{if .Name}}{{.Name}}{{else}}{{.Username}}{{end}}</div>
      <p id="identity" class="muted">Logged in as <strong id="username">{{.Username}}</strong></p>
    </div>
  </div>
  <dl>
    <dt>Email</dt><dd>{{.Email}}{{if .EmailVerified}}<span class="badge">verified</span>{{end}}</dd>
    <dt>ID</dt><dd><code>{{.ID}}</code></dd>
  </dl>
</section>
{{end}}
{{with .Token}}
<section class="card" id="token">
  <h2>Token</h2>
  <dl>
    <dt>Type</dt><dd>{{.Type}}</dd>
    <dt>Scopes</dt><dd>{{if .Scopes}}<ul class="chips" id="scopes">{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>{{else}}none granted{{end}}</dd>
    <dt>Expires</dt><dd id="expiry">{{if .Expires}}{{.Expires}} <span class="muted">({{.ExpiresIn}})</span>{{else}}never{{end}}</dd>
    <dt>Refresh token</dt><dd>{{if .Refresh}}yes: renewed for you before it expires{{else}}no{{end}}</dd>
  </dl>
  <p class="muted">The token is kept in the session cookie, encrypted and authenticated with the app's keys and HttpOnly: your browser holds it but can read nothing of it, no page shows it, and the app sends it only to the provider's API.</p>
</section>
{{end}}
{{if .Identity}}
<section class="card wide">
  <h2>API call through Client</h2>
  {{with .API}}
    {{if .Error}}<p id="error" class="error">{{.Error}}</p>{{else}}
    <p><code>GET {{.Path}}</code> <span class="status">200 OK</span></p>
    <table id="api-result">{{range .Fields}}<tr><th>{{.Key}}</th><td>{{or .Value "(empty)"}}</td></tr>{{end}}</table>
    {{end}}
  {{else}}
    <p class="muted"><code>local.Client(c).GetJSON("me", &amp;me)</code> adds the token and sends it only to the provider's API.</p>
  {{end}}
  <div class="actions">
    <a id="api-call" class="button" href="/api-call">{{if .API}}Call the API again{{else}}Call the API{{end}}</a>
    {{if .API}}<a class="button quiet" href="/">Back</a>{{end}}
    <form method="post" action="/logout"><button id="logout" class="button quiet" type="submit">Log out</button></form>
  </div>
</section>
{{else}}
<section class="card wide">
  <h1>The OAuth dance, for Gin</h1>
  {{if .LoggedOut}}<p id="logged-out" class="notice">You are logged out.</p>{{end}}
  <p>Not logged in.</p>
  <ol class="muted">
    <li>The app sends you to a fake provider on another host, <a href="{{.Provider}}/">{{.Provider}}</a>.</li>
    <li>Sign in there with any name.</li>
    <li>Back here, the app holds a token, shows who you are and calls the provider's API with it.</li>
  </ol>
  <div class="actions">
    <a id="login" class="button" href="/login/local">Log in with the local provider</a>
    {{range .Real}}<a class="button quiet" href="{{.Login}}">Log in with {{.Title}}</a>{{end}}
  </div>
</section>
{{end}}
</main>
<footer>gindance quickstart: the app on localhost, the fake provider on 127.0.0.1.</footer>
</body>
</html>
`))

func render(c *gin.Context, data page) {
	h := c.Writer.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	c.Status(http.StatusOK)
	if err := tmpl.Execute(c.Writer, data); err != nil {
		_ = c.Error(err)
	}
}
