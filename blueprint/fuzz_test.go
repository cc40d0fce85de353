package blueprint_test

// Fuzz targets for what an attacker or a provider controls: the callback's
// parameters, the next path, the token endpoint's answer, and a stored
// token. Seed corpora live in testdata/fuzz/<target>; `go test` runs the
// seeds, and .ci/run fuzzes each target for a few seconds:
//
//	go test -run '^$' -fuzz '^FuzzCallbackParams$' -fuzztime 5s ./blueprint/

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

// fakeTokenEndpoint answers token requests in memory, without a socket.
type fakeTokenEndpoint func(form url.Values) (status int, ctype string, body []byte)

func (f fakeTokenEndpoint) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	form, _ := url.ParseQuery(string(b))
	status, ctype, body := f(form)
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Request: r, ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {ctype}}, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}, nil
}

// goodCode is the one code the fake token endpoint of the fuzz app accepts.
const goodCode = "good-code"

// fuzzApp is an app with one blueprint whose token endpoint is in memory.
type fuzzApp struct {
	engine *gin.Engine
	stored *blueprint.Token
	err    error
}

func newFuzzApp(endpoint fakeTokenEndpoint) *fuzzApp {
	a := &fuzzApp{}
	cfg := staticConfig("https://api.idp.example/")
	cfg.HTTPClient = &http.Client{Transport: endpoint}
	cfg.Issuer = "https://idp.example"
	b := blueprint.NewOAuth2("idp", cfg)
	b.TokenSetter(func(c *gin.Context, tok *blueprint.Token) error {
		a.stored = tok
		return blueprint.SessionStorage{}.Set(c, "idp", tok)
	})
	b.OnError(func(c *gin.Context, err error) { a.err = err; blueprint.DefaultErrorHandler(c, err) })
	a.engine = newEngine()
	b.Mount(a.engine.Group("/login"))
	return a
}

// start begins a login and returns its state and the session cookies.
func (a *fuzzApp) start(t *testing.T, next string) (string, []*http.Cookie) {
	w := serve(a.engine, "GET", "/login/idp?next="+url.QueryEscape(next), nil)
	loc, err := url.Parse(w.Header().Get("Location"))
	if w.Code != http.StatusFound || err != nil {
		t.Fatalf("login start: %d %v", w.Code, err)
	}
	return loc.Query().Get("state"), mergeCookies(nil, w)
}

// checkErrorPage fails when the default error page echoes markup.
func checkErrorPage(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	body := w.Body.String()
	const head, tail = "<p class=\"message\">", "</p>\n<p class=\"actions\">"
	i, j := strings.Index(body, head), strings.LastIndex(body, tail)
	if i < 0 || j < i {
		t.Fatalf("not the default error page: %q", body)
	}
	if msg := body[i+len(head) : j]; strings.ContainsAny(msg, "<>\"'") {
		t.Fatalf("the error page echoes unescaped text: %q", msg)
	}
	if w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Fatal("error page without nosniff")
	}
}

// FuzzCallbackParams throws arbitrary callback parameters at
// /login/idp/authorized, with the genuine state of a pending login or not.
// Invariants: only the genuine state with the genuine code logs in, and then
// the redirect goes to the login's next; everything else is a 4xx (or 502
// when the provider refuses the code), never a 500; nothing is stored on
// failure; the error page escapes what it echoes; no cookie exceeds 4096
// bytes.
func FuzzCallbackParams(f *testing.F) {
	f.Add(true, "", goodCode, "", "", "", "https://idp.example", "")
	f.Add(false, "forged", goodCode, "", "", "", "", "")
	f.Add(true, "", "", "access_denied", "<script>alert(1)</script>", "javascript:alert(1)", "", "")
	f.Add(true, "", goodCode, "", "", "", "https://evil.example", "")
	f.Add(true, "", "x\x00y", "", "", "", "", "code=good-code&state=")
	endpoint := fakeTokenEndpoint(func(form url.Values) (int, string, []byte) {
		if form.Get("code") == goodCode && form.Get("code_verifier") != "" {
			return 200, "application/json", []byte(`{"access_token":"at-fuzz","token_type":"Bearer","expires_in":3600}`)
		}
		return 400, "application/json", []byte(`{"error":"invalid_grant"}`)
	})
	f.Fuzz(func(t *testing.T, realState bool, state, code, errCode, desc, errURI, iss, extra string) {
		a := newFuzzApp(endpoint)
		genuine, jar := a.start(t, "/after")
		if realState {
			state = genuine
		}
		q := url.Values{}
		for k, v := range map[string]string{"state": state, "code": code, "error": errCode,
			"error_description": desc, "error_uri": errURI, "iss": iss} {
			if v != "" {
				q.Set(k, v)
			}
		}
		raw := q.Encode()
		if extra != "" {
			raw += "&" + extra
		}
		req := httptest.NewRequest("GET", "/login/idp/authorized", nil)
		req.URL.RawQuery = raw
		for _, c := range jar {
			req.AddCookie(c)
		}
		w := httptest.NewRecorder()
		a.engine.ServeHTTP(w, req)

		got := req.URL.Query()
		success := got.Get("state") == genuine && got.Get("code") == goodCode && got.Get("error") == "" &&
			(got.Get("iss") == "" || got.Get("iss") == "https://idp.example")
		switch {
		case w.Code == http.StatusFound:
			if !success || a.stored == nil || a.stored.AccessToken != "at-fuzz" {
				t.Fatalf("logged in with %q (stored %v, err %v)", raw, a.stored, a.err)
			}
			if loc := w.Header().Get("Location"); loc != "/after" {
				t.Fatalf("redirected to %q", loc)
			}
		case success:
			t.Fatalf("the genuine response %q failed: %d %v", raw, w.Code, a.err)
		case w.Code >= 400 && w.Code < 500, w.Code == http.StatusBadGateway:
			if a.stored != nil {
				t.Fatalf("a failed callback stored a token: %q", raw)
			}
			checkErrorPage(t, w)
		default:
			t.Fatalf("status %d for %q (%v)", w.Code, raw, a.err)
		}
		for _, sc := range w.Header().Values("Set-Cookie") {
			if len(sc) > 4096 {
				t.Fatalf("Set-Cookie of %d bytes", len(sc))
			}
		}
	})
}

// browserResolve resolves a Location header as a browser does for an http
// page (WHATWG URL): leading and trailing C0 controls and spaces trimmed,
// tabs and newlines removed anywhere, backslashes read as slashes.
func browserResolve(base *url.URL, loc string) (*url.URL, error) {
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= 0x20 })
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(loc)
	ref, err := url.Parse(loc)
	if err != nil {
		return nil, err
	}
	return base.ResolveReference(ref), nil
}

// FuzzSafeNext checks the next sanitizer against a browser's reading of
// the URL: whatever SafeNext keeps is returned unchanged and, read by a
// browser as a Location, decoded up to three times, stays on the app's
// origin (RFC 9700 §4.11).
func FuzzSafeNext(f *testing.F) {
	for _, s := range append([]string{"/", "/a/b?c=d", "/caf%C3%A9#x", "/a//b"}, hostileNexts...) {
		f.Add(s)
	}
	base, _ := url.Parse("https://app.example/login/idp/authorized")
	f.Fuzz(func(t *testing.T, next string) {
		got, ok := blueprint.SafeNext(next)
		if !ok {
			if got != "" {
				t.Fatalf("refused %q but returned %q", next, got)
			}
			return
		}
		if got != next {
			t.Fatalf("SafeNext(%q) = %q", next, got)
		}
		s := next
		for range 4 {
			u, err := browserResolve(base, s)
			if err != nil {
				break
			}
			if u.Scheme != "https" || u.Host != "app.example" {
				t.Fatalf("SafeNext kept %q, which a browser reads as %s", next, u)
			}
			d, err := url.PathUnescape(s)
			if err != nil || d == s {
				break
			}
			s = d
		}
	})
}

// FuzzTokenResponse feeds arbitrary token endpoint answers (status,
// content type, body) to a login. Invariants: the login either succeeds
// with a non-empty access token of type Bearer, or fails with a
// *ProviderError (502); never a 500 or a panic; nothing is stored on
// failure; the error never quotes the body beyond the bounded
// error_description.
func FuzzTokenResponse(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":"rt","scope":"a b"}`))
	f.Add(200, "application/x-www-form-urlencoded", []byte(`access_token=at&token_type=bearer&expires_in=60`))
	f.Add(200, "application/json", []byte(`{"access_token":"at","token_type":"mac"}`))
	f.Add(200, "application/json", []byte(`{"token_type":"Bearer"}`))
	f.Add(200, "text/html", []byte(`<h1>oops</h1>`))
	f.Add(400, "application/json", []byte(`{"error":"invalid_grant","error_description":"<b>no</b>"}`))
	f.Add(500, "text/html", []byte(`<h1>500</h1>`))
	f.Add(200, "application/json", []byte(`{"access_token":123,"expires_in":"soon"}`))
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		status = 200 + (status%400+400)%400
		a := newFuzzApp(func(url.Values) (int, string, []byte) { return status, ctype, body })
		state, jar := a.start(t, "/after")
		w := serve(a.engine, "GET", "/login/idp/authorized?"+url.Values{"state": {state}, "code": {"c"}}.Encode(), jar)
		switch w.Code {
		case http.StatusFound:
			tok := a.stored
			if tok == nil || tok.AccessToken == "" || (tok.TokenType != "" && !strings.EqualFold(tok.TokenType, "bearer")) {
				t.Fatalf("logged in with %+v from %d %q %q", tok, status, ctype, body)
			}
			if status < 200 || status > 299 {
				t.Fatalf("logged in from a %d answer", status)
			}
		case http.StatusBadGateway:
			var pe *blueprint.ProviderError
			if !errors.As(a.err, &pe) || a.stored != nil {
				t.Fatalf("err %v, stored %v", a.err, a.stored)
			}
			if len(body) > 600 && strings.Contains(a.err.Error(), string(body)) {
				t.Fatalf("the error quotes the body: %v", a.err)
			}
			checkErrorPage(t, w)
		default:
			t.Fatalf("status %d (%v) for %d %q %q", w.Code, a.err, status, ctype, body)
		}
	})
}

// FuzzUnmarshalToken decodes arbitrary stored bytes: either a token with
// an access token that survives a round trip, or an error wrapping
// ErrCorruptToken; never a panic or a half-filled token.
func FuzzUnmarshalToken(f *testing.F) {
	good, _ := blueprint.MarshalToken(&blueprint.Token{AccessToken: "at", RefreshToken: "rt", TokenType: "Bearer",
		Expiry: time.Unix(1_900_000_000, 0).UTC(), Scopes: []string{"a"}, Extra: map[string]any{"k": []any{1.0, "x"}}})
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"access_token":""}`))
	f.Add([]byte(`{"access_token":"a","expiry":"not a time"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"access_token":"a","scopes":"not a list"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := blueprint.UnmarshalToken(data)
		if err != nil {
			if tok != nil || !errors.Is(err, blueprint.ErrCorruptToken) {
				t.Fatalf("UnmarshalToken(%q) = %+v, %v", data, tok, err)
			}
			if strings.Contains(err.Error(), string(data)) && len(data) > 64 {
				t.Fatalf("the error quotes the stored value: %v", err)
			}
			return
		}
		if tok == nil || tok.AccessToken == "" {
			t.Fatalf("UnmarshalToken(%q) = %+v without an error", data, tok)
		}
		again, err := blueprint.MarshalToken(tok)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", tok, err)
		}
		back, err := blueprint.UnmarshalToken(again)
		if err != nil || back.AccessToken != tok.AccessToken || back.RefreshToken != tok.RefreshToken ||
			!back.Expiry.Equal(tok.Expiry) || back.IDToken != tok.IDToken {
			t.Fatalf("round trip of %q: %+v, %v", data, back, err)
		}
	})
}
