package gintest

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
)

// The Provider's HTML pages (the sign-in form, the bad-request page and
// the home page at /) share one inline stylesheet and nothing else: no
// script, font, image or other resource. Their Content-Security-Policy
// allows exactly that stylesheet, by its hash.

const pageCSS = `*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;background:#eef0f6;color:#1d2330;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header{align-self:stretch;display:flex;align-items:center;gap:.6rem;padding:.8rem 1.5rem;background:#2e2a6e;color:#fff;font-weight:650;letter-spacing:.01em}
.mark{width:1.5rem;height:1.5rem;border-radius:.45rem;background:linear-gradient(135deg,#a5b4fc,#6366f1)}
.tag{margin-left:auto;padding:.1rem .6rem;border-radius:999px;background:rgba(255,255,255,.14);font-size:.75rem;font-weight:500}
main{width:calc(100% - 2rem);max-width:27rem;margin:3rem 1rem 1.5rem;padding:2rem;background:#fff;border-radius:.9rem;box-shadow:0 1px 2px rgba(16,24,40,.06),0 10px 30px rgba(16,24,40,.09)}
main.wide{max-width:46rem}
h1{margin:0 0 .4rem;font-size:1.35rem;line-height:1.3}
h2{margin:1.6rem 0 .3rem;font-size:1rem}
p{margin:.45rem 0}
.muted{color:#5b6475;font-size:.9rem}
code,.chips li{font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef0fc;color:#3730a3;padding:.1rem .45rem;border-radius:.35rem}
.chips{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0 1rem;padding:0;list-style:none}
label{display:block;margin:1.3rem 0 .35rem;font-weight:600}
input[type=text]{width:100%;padding:.6rem .75rem;border:1px solid #c8cedb;border-radius:.5rem;font:inherit}
input[type=text]:focus{outline:2px solid #a5b4fc;border-color:#6366f1}
.actions{display:flex;gap:.6rem;margin-top:1.3rem}
button{flex:1;padding:.65rem 1rem;border:1px solid #c8cedb;border-radius:.5rem;background:#fff;color:#1d2330;font:inherit;font-weight:600;cursor:pointer}
button.primary{border-color:#4f46e5;background:#4f46e5;color:#fff}
.error{padding:.6rem .8rem;border:1px solid #fecaca;border-radius:.5rem;background:#fef2f2;color:#991b1b}
table{width:100%;margin:.6rem 0;border-collapse:collapse}
th,td{padding:.45rem .5rem;border-bottom:1px solid #e6e8f0;text-align:left;vertical-align:top}
th{color:#5b6475;font-size:.75rem;font-weight:600;letter-spacing:.05em;text-transform:uppercase}
footer{margin-bottom:2rem;color:#8a93a6;font-size:.8rem}
`

// pageHead is the start of every page, up to and including <main>.
func pageHead(title string) string {
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + title + `</title>
<style>` + pageCSS + `</style>
</head>
<body>
<header><span class="mark"></span>gintest provider<span class="tag">test fixture</span></header>
`
}

const pageFoot = `<footer>gintest: a fake provider for tests. It checks no password; never use it in production.</footer>
</body>
</html>
`

// pageCSP is the pages' Content-Security-Policy: nothing but the inline
// stylesheet, no framing.
var pageCSP = func() string {
	sum := sha256.Sum256([]byte(pageCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; base-uri 'none'; frame-ancestors 'none'"
}()

func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Referrer-Policy", "no-referrer")
}

// homeTemplate is the page at /: what the Provider is and its endpoints.
var homeTemplate = template.Must(template.New("home").Parse(pageHead("gintest provider") + `<main class="wide">
<h1>A fake OAuth 2.0 provider</h1>
<p class="muted">This is <code>gintest.Provider</code>, serving at <code id="base-url">{{.URL}}</code>: an authorization server and a small user API in one, for trying and testing an application's login. Any name signs in.</p>
<h2>Endpoints</h2>
<table id="endpoints">
<tr><th>Request</th><th>What it does</th></tr>
<tr><td><code>GET /authorize</code></td><td>Authorization code flow (RFC 6749 §4.1) with PKCE S256 required; shows the sign-in form</td></tr>
<tr><td><code>POST /token</code></td><td>authorization_code, refresh_token and client_credentials grants</td></tr>
<tr><td><code>GET /api/me</code></td><td>The signed-in user, for a Bearer access token (RFC 6750)</td></tr>
<tr><td><code>POST /revoke</code></td><td>Token revocation (RFC 7009)</td></tr>
<tr><td><code>POST /par</code></td><td>Pushed authorization requests (RFC 9126)</td></tr>
</table>
<h2>Registered clients</h2>
<ul class="chips" id="clients">{{range .Clients}}<li>{{.}}</li>{{end}}</ul>
</main>
` + pageFoot))

type homeData struct {
	URL     string
	Clients []string
}

// handleHome serves GET /: a page that says what this is.
func (p *Provider) handleHome(w http.ResponseWriter, _ *http.Request) {
	d := homeData{URL: p.URL()}
	for _, c := range p.opts.Clients {
		d.Clients = append(d.Clients, c.ID)
	}
	pageHeaders(w)
	w.WriteHeader(http.StatusOK)
	_ = homeTemplate.Execute(w, d)
}

// signedOutPage is the OIDCProvider's end_session answer when it does not
// send the browser back to the relying party.
var signedOutPage = pageHead("Signed out of the gintest provider") + `<main>
<h1 id="signed-out">Signed out</h1>
<p class="muted">Your session at the gintest OpenID provider has ended. You can close this page.</p>
</main>
` + pageFoot
