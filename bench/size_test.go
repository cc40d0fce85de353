package bench

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/oidc"
)

// Where the OpenID Connect and OAuth 1.0a fakes are reachable. Nothing
// listens there: their requests go through inProcess. The issuer is on a
// loopback host because providers/oidc allows http only there.
const (
	oidcIssuer = "http://localhost:8900"
	oauth1Base = "http://oauth1.test"
)

// login is an app with one blueprint mounted on /login on the cookie store
// setup, and the provider it logs in at, served in process.
type login struct {
	app, idp http.Handler
	path     string // GET: the login start
}

// newLogin mounts b on /login; GET / answers whether the browser is logged
// in.
func newLogin(b *blueprint.Blueprint, idp http.Handler) *login {
	r := gin.New()
	r.Use(sessionsMiddleware())
	b.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "authorized=%v", b.Authorized(c)) })
	return &login{app: r, idp: idp, path: "/login/" + b.Name()}
}

// oauth2Login is gindance against the OAuth 2.0 fake: opaque access and
// refresh tokens.
func oauth2Login() *login {
	p := newProvider(gintest.Options{})
	return newLogin(blueprint.NewOAuth2("fake", p.oauth2Config("fake")), p.Provider)
}

// oidcLogin is providers/oidc against the OpenID Connect fake: discovery,
// JWKS and id_token verification are real; the id_token is RS256.
func oidcLogin() *login {
	p := gintest.NewOIDCProvider(gintest.OIDCOptions{})
	p.SetBaseURL(oidcIssuer)
	return newLogin(oidc.New("idp", oidc.Config{Issuer: oidcIssuer,
		ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		Scopes: []string{"profile", "email"}, RedirectURL: appBase + "/login/idp/authorized",
		Options: blueprint.Options{HTTPClient: &http.Client{Transport: inProcess{p}}}}).Blueprint, p)
}

// oauth1Login is blueprint.NewOAuth1 against the OAuth 1.0a fake, which
// verifies every signature: a token and its secret, and the user_id and
// screen_name the provider returns with them.
func oauth1Login() *login {
	p := gintest.NewOAuth1Provider(gintest.OAuth1Options{})
	p.SetBaseURL(oauth1Base)
	cfg := p.OAuth1Config()
	cfg.RedirectURL = appBase + "/login/idp/authorized"
	cfg.HTTPClient = &http.Client{Transport: inProcess{p}}
	return newLogin(blueprint.NewOAuth1("idp", cfg), p)
}

// cookies does a full login as a browser without cookies (start, the
// provider's approval, callback) and returns the cookies the browser then
// sends.
func (l *login) cookies(tb testing.TB) []*http.Cookie {
	w := serve(l.app, l.path, nil)
	if w.Code != http.StatusFound {
		tb.Fatalf("%s: login start: %d %s", l.path, w.Code, w.Body.String())
	}
	jar := requestCookies(nil, w.Header())
	a := serve(l.idp, w.Header().Get("Location"), nil)
	if a.Code != http.StatusFound {
		tb.Fatalf("%s: authorize: %d %s", l.path, a.Code, a.Body.String())
	}
	w = serve(l.app, strings.TrimPrefix(a.Header().Get("Location"), appBase), jar)
	if w.Code != http.StatusFound || w.Header().Get("Location") != "/" {
		tb.Fatalf("%s: callback: %d %s", l.path, w.Code, w.Body.String())
	}
	return requestCookies(jar, w.Header())
}

// authorized reports what the app says at GET / to a browser with jar.
func (l *login) authorized(jar []*http.Cookie) string {
	return serve(l.app, "/", jar).Body.String()
}

// tokenLogins are the token/<kind> cases of BenchmarkSize.
var tokenLogins = []struct {
	name string
	make func() *login
}{
	{"oauth2", oauth2Login},
	{"oidc", oidcLogin},
	{"oauth1", oauth1Login},
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
//   - token/<kind>: after a full login per provider kind: oauth2 (the OAuth
//     2.0 fake), oidc (providers/oidc and the OpenID Connect fake, with an
//     id_token) and oauth1 (blueprint.NewOAuth1 and the OAuth 1.0a fake);
//   - pending/<library>: with one login pending, and pending-add-B what a
//     second concurrent login (another tab) adds.
func BenchmarkSize(b *testing.B) {
	for _, tc := range tokenLogins {
		b.Run("token/"+tc.name, func(b *testing.B) {
			l := tc.make()
			n := 0
			for b.Loop() {
				n = cookieBytes(l.cookies(b))
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
	for _, tc := range tokenLogins {
		l := tc.make()
		jar := l.cookies(t)
		if got := l.authorized(jar); got != "authorized=true" {
			t.Errorf("%s: after login GET / says %q", tc.name, got)
		}
		n := cookieBytes(jar)
		if n <= 0 || n >= 4096 {
			t.Errorf("%s: cookie after login %d B, want 1..4095 (browsers drop larger cookies)", tc.name, n)
		}
		t.Logf("cookie after login: %s %d B", tc.name, n)
	}
	for _, fl := range flows {
		f := fl.make(newProvider(gintest.Options{AllowMissingPKCE: true}))
		one, two := pendingCookie(t, f, 1), pendingCookie(t, f, 2)
		t.Logf("%s: one pending login %d B, a second adds %d B", fl.name, one, two-one)
	}
}
