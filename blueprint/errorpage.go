package blueprint

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html"
	"net/http"
	"strconv"
)

// errorPageCSS is the default error page's one stylesheet, inline; the
// page's Content-Security-Policy allows it by its hash and nothing else
// (no script, image, font, frame or form).
const errorPageCSS = `*{box-sizing:border-box}
body{margin:0;min-height:100vh;background:#f3f5f4;color:#17211f;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header{height:3.2rem;background:#0f3d38}
main{max-width:32rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:.9rem;box-shadow:0 1px 2px rgba(16,24,40,.06),0 8px 24px rgba(16,24,40,.07)}
h1{margin:0 0 .6rem;font-size:1.4rem;line-height:1.3}
p{margin:.45rem 0}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;margin-top:1.4rem}
.button{display:inline-block;padding:.6rem 1.1rem;border:1px solid #0f766e;border-radius:.5rem;background:#0f766e;color:#fff;font-weight:600;text-decoration:none}
.button.quiet{background:#fff;color:#0f766e}
.status{margin-top:1.4rem;color:#7b8a87;font-size:.8rem}
`

// errorPageCSP is the default error page's Content-Security-Policy.
var errorPageCSP = func() string {
	sum := sha256.Sum256([]byte(errorPageCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}()

// errorClass is what the default error page says about one kind of failure:
// a JSON code, a title and a sentence for the person at the browser. None
// carries detail of the error: that goes to the log.
type errorClass struct {
	code, title, sentence string
}

// classify sorts a flow error into what the user is told.
func classify(err error, status int) errorClass {
	var ae *AuthError
	switch {
	case errors.As(err, &ae) && ae.Code == "access_denied":
		return errorClass{ae.Code, "Sign-in cancelled",
			"You declined the sign-in at the provider, so you are not signed in. Nothing was changed."}
	case errors.As(err, &ae):
		return errorClass{ae.Code, "Sign-in failed",
			"The sign-in provider could not sign you in. Please try again in a moment."}
	case errors.Is(err, ErrStateExpired):
		return errorClass{"login_expired", "Sign-in expired",
			"The sign-in took too long and has expired. Please start again."}
	case errors.Is(err, ErrStateMismatch):
		return errorClass{"invalid_state", "Sign-in link not valid",
			"This sign-in link is not valid any more: it was already used, or it was started in another browser. Please start again."}
	case errors.Is(err, ErrNotAuthorized):
		return errorClass{"not_authorized", "Please sign in again",
			"Your sign-in has ended. Please sign in again to continue."}
	case status == http.StatusBadRequest || status == http.StatusUnauthorized:
		return errorClass{"bad_request", "Sign-in failed",
			"The answer from the sign-in provider was not valid. Please start again."}
	case status == http.StatusBadGateway:
		return errorClass{"provider_error", "Sign-in provider unavailable",
			"The sign-in provider did not answer as expected. Please try again later."}
	}
	return errorClass{"server_error", "Something went wrong",
		"Something went wrong on our side while signing you in. Please try again later."}
}

// writeErrorPage answers with the default error page; retry, when not
// empty, is a same-site path that starts a new login.
func writeErrorPage(w http.ResponseWriter, status int, ec errorClass, retry string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", errorPageCSP)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	page := `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + html.EscapeString(ec.title) + `</title>
<style>` + errorPageCSS + `</style>
</head>
<body>
<header></header>
<main>
<h1>` + html.EscapeString(ec.title) + `</h1>
<p class="message">` + html.EscapeString(ec.sentence) + `</p>
<p class="actions">`
	if retry != "" {
		page += `<a class="button" href="` + html.EscapeString(retry) + `">Try again</a><a class="button quiet" href="/">Back to the start page</a>`
	} else {
		page += `<a class="button" href="/">Back to the start page</a>`
	}
	page += `</p>
<p class="status">Error ` + strconv.Itoa(status) + `</p>
</main>
</body>
</html>
`
	_, _ = w.Write([]byte(page))
}
