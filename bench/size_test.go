package bench

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// b64 is n random bytes, base64url.
func b64(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// loggedInCookie is the Cookie header after a full gindance login at the
// in-process provider (an opaque access and refresh token, OAuth 2.0).
func loggedInCookie(tb testing.TB) int {
	f := gindanceFlow(newProvider(gintest.Options{}))
	jar, target := f.pending(tb)
	w := httptest.NewRecorder()
	f.engine.ServeHTTP(w, callbackRequest(jar, target))
	if w.Code != http.StatusFound {
		tb.Fatalf("callback: %d", w.Code)
	}
	return cookieBytes(requestCookies(jar, w.Header()))
}

// storedCookie is the Cookie header after the session storage stored tok.
// Used for the kinds whose presets have not landed (OIDC, OAuth 1.0a): the
// token is shaped like theirs.
func storedCookie(tb testing.TB, tok *blueprint.Token) int {
	r := gin.New()
	r.Use(sessionsMiddleware())
	r.GET("/seed", func(c *gin.Context) {
		if err := (blueprint.SessionStorage{}).Set(c, "idp", tok); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.Status(http.StatusNoContent)
	})
	w := serve(r, "/seed", nil)
	if w.Code != http.StatusNoContent {
		tb.Fatalf("seed: %d %s", w.Code, w.Body.String())
	}
	return cookieBytes(requestCookies(nil, w.Header()))
}

// oidcToken is shaped like an OpenID Connect token response: opaque access
// and refresh tokens and an RS256 id_token of about 900 bytes (a header, a
// dozen standard claims, a 256-byte signature).
func oidcToken() *blueprint.Token {
	claims := `{"iss":"https://login.example.com/realms/app","sub":"` + b64(18) + `","aud":"app-client","exp":1893456000,` +
		`"iat":1893452400,"auth_time":1893452390,"nonce":"` + b64(24) + `","at_hash":"` + b64(16) + `","sid":"` + b64(18) +
		`","email":"alice@example.com","email_verified":true,"name":"Alice Example","preferred_username":"alice"}`
	idt := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"`+b64(24)+`","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(claims)) + "." + b64(256)
	return &blueprint.Token{AccessToken: b64(32), TokenType: "Bearer", RefreshToken: b64(32),
		Expiry: time.Now().Add(time.Hour), IDToken: idt, Scopes: []string{"openid", "profile", "email"}}
}

// oauth1Token is shaped like an OAuth 1.0a access token (Twitter-style).
func oauth1Token() *blueprint.Token {
	return &blueprint.Token{AccessToken: "12345678-" + b64(30), TokenSecret: b64(33)}
}

// pendingCookie is the Cookie header a browser carries with n logins
// pending (n login starts, no callback).
func pendingCookie(tb testing.TB, f *flow, n int) int {
	var jar []*http.Cookie
	for range n {
		req := httptest.NewRequest(http.MethodGet, f.loginPath, nil)
		for _, c := range jar {
			req.AddCookie(c)
		}
		w := httptest.NewRecorder()
		f.engine.ServeHTTP(w, req)
		jar = requestCookies(jar, w.Header())
	}
	return cookieBytes(jar)
}

// BenchmarkSize reports sizes as metrics (the time is that of making the
// cookie): cookie-B is the Cookie header a browser sends.
//   - token/<kind>: after login, per provider kind; oidc and oauth1 are
//     tokens shaped like theirs stored through the session storage, as their
//     presets have not landed yet;
//   - pending/<library>: with one login pending, and pending-add-B what a
//     second concurrent login (another tab) adds.
func BenchmarkSize(b *testing.B) {
	tokens := []struct {
		name string
		size func(tb testing.TB) int
	}{
		{"oauth2", loggedInCookie},
		{"oidc-shaped", func(tb testing.TB) int { return storedCookie(tb, oidcToken()) }},
		{"oauth1-shaped", func(tb testing.TB) int { return storedCookie(tb, oauth1Token()) }},
	}
	for _, tc := range tokens {
		b.Run("token/"+tc.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				n = tc.size(b)
			}
			b.ReportMetric(float64(n), "cookie-B")
		})
	}
	for _, fl := range flows {
		b.Run("pending/"+fl.name, func(b *testing.B) {
			f := fl.make(newProvider(gintest.Options{AllowMissingPKCE: true}))
			one, two := 0, 0
			for b.Loop() {
				one = pendingCookie(b, f, 1)
				two = pendingCookie(b, f, 2)
			}
			b.ReportMetric(float64(one), "cookie-B")
			b.ReportMetric(float64(two-one), "pending-add-B")
		})
	}
}

// The sizes, readably: go test -run TestSizes -v
func TestSizes(t *testing.T) {
	t.Logf("cookie after login: oauth2 %d B, oidc-shaped %d B, oauth1-shaped %d B",
		loggedInCookie(t), storedCookie(t, oidcToken()), storedCookie(t, oauth1Token()))
	for _, fl := range flows {
		f := fl.make(newProvider(gintest.Options{AllowMissingPKCE: true}))
		one, two := pendingCookie(t, f, 1), pendingCookie(t, f, 2)
		t.Logf("%s: one pending login %d B, a second adds %d B", fl.name, one, two-one)
	}
}
