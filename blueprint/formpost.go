package blueprint

import (
	"html"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// Response modes a login records (OAuth 2.0 Multiple Response Type
// Encoding Practices §2.1, OAuth 2.0 Form Post Response Mode §2).
const (
	// responseModeQuery is the default: the response in the callback URL's
	// query, on a GET. It is recorded as "" in the transaction.
	responseModeQuery = ""
	// ResponseModeFormPost is response_mode=form_post: the provider answers
	// with an auto-submitting HTML form that POSTs the response, urlencoded,
	// to the callback.
	ResponseModeFormPost = "form_post"
)

// MaxFormPostBytes bounds the body of a form_post callback: a code, state,
// iss, an error description and Sign in with Apple's user field fit many
// times over.
const MaxFormPostBytes = 64 << 10

// relayField marks the re-post of a form_post response by the relay page
// (see relayFormPost); its value is ignored.
const relayField = "gindance_relay"

// formPostFields are the fields of a form_post response the relay page
// carries on (scope for hooks that read it through FormPostValue, user for Sign in
// with Apple); anything else the provider posted is dropped.
var formPostFields = [...]string{"code", "state", "iss", "scope", "error", "error_description", "error_uri", "user"}

// relayScript submits the relay page's form. Its hash is in the page's
// Content-Security-Policy, so it runs under the strictest policy.
const relayScript = `document.getElementById("gindance-form-post").submit();`

// relayCSP is the relay page's Content-Security-Policy: nothing loads,
// only relayScript runs (by its SHA-256, base64: TestFormPostRelayPage
// hashes the script the page serves and fails when this is stale), no
// <base>, no framing.
const relayCSP = "default-src 'none'; script-src 'sha256-UHuCAEAq8Sl35IgdD2sWfVlQ4nA+T7zdKhGAL1Ksf7o='; " +
	"style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"

// handleFormPost serves POST /<name>/authorized for blueprints with
// FormPost.
//
// A form_post response is a cross-site POST from the provider's page, and
// a browser sends no SameSite=Lax cookie with it: neither the session
// cookie (where the pending login and, by default, the token are kept) nor
// a LoginCookieKey login cookie. Rather than loosen those cookies to
// SameSite=None, the first POST is answered with a small page of the app's
// own origin that posts the same fields again to the same URL
// (relayFormPost). That second POST is same-site, so the Lax cookies come
// with it and the callback runs as for a GET. A POST that is already
// same-origin (Sec-Fetch-Site) or that the relay page sent goes straight
// to the callback; a forged relay marker gains nothing, as a cross-site
// POST still carries no cookie and so finds no pending login.
func (b *Blueprint) handleFormPost(c *gin.Context) {
	noStore(c)
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		b.fail(c, ErrFormPost)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxFormPostBytes)
	if err := c.Request.ParseForm(); err != nil {
		b.fail(c, ErrFormPost)
		return
	}
	switch {
	case c.Request.PostForm.Has(relayField):
	case c.GetHeader("Sec-Fetch-Site") == "same-origin", c.GetHeader("Sec-Fetch-Site") == "same-site":
	default:
		b.relayFormPost(c)
		return
	}
	b.handleCallback(c)
}

// relayFormPost answers a cross-site form_post response with a page that
// re-posts its fields, escaped, to the page's own URL (the form has no
// action). A browser without JavaScript shows a Continue button.
func (b *Blueprint) relayFormPost(c *gin.Context) {
	var sb strings.Builder
	sb.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Signing in</title></head>` +
		`<body><form method="post" id="gindance-form-post">`)
	for _, k := range formPostFields {
		for _, v := range c.Request.PostForm[k] {
			sb.WriteString(`<input type="hidden" name="` + k + `" value="` + html.EscapeString(v) + `">`)
		}
	}
	sb.WriteString(`<input type="hidden" name="` + relayField + `" value="1">` +
		`<button type="submit">Continue signing in</button></form><script>` + relayScript + `</script></body></html>`)
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", relayCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(sb.String()))
}

// responseParam is parameter k of the authorization response: from the
// urlencoded body of a form_post callback (never its query), from the
// query of a GET.
func responseParam(c *gin.Context, k string) string {
	if c.Request.Method == http.MethodPost {
		return c.Request.PostForm.Get(k)
	}
	return c.Query(k)
}

// checkResponseMode refuses a response that arrived in another mode than
// the login asked for (a mix-up of response modes).
func checkResponseMode(c *gin.Context, tx *transaction) error {
	post := c.Request.Method == http.MethodPost
	if post != (tx.Mode == ResponseModeFormPost) {
		return ErrResponseMode
	}
	return nil
}

// FormPostValue returns field k of the form_post response being handled,
// for OnLogin hooks and provider packages: Sign in with Apple posts the
// user's name in a "user" field, once. It is "" on a GET callback and
// outside the callback.
func FormPostValue(c *gin.Context, k string) string {
	if c.Request.Method != http.MethodPost || c.Request.PostForm == nil {
		return ""
	}
	return c.Request.PostForm.Get(k)
}

// formPost reports whether the blueprint asks for form_post responses.
func (b *Blueprint) formPost() bool {
	p, ok := b.proto.(*oauth2Protocol)
	return ok && p.cfg.FormPost
}
