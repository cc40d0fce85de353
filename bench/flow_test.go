package bench

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
	gsessions "github.com/gorilla/sessions"
	"github.com/markbates/goth"
	"github.com/markbates/goth/gothic"
	"github.com/markbates/goth/providers/gitlab"
	"github.com/zitadel/oidc/v3/pkg/client/rp"
	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// flow is one library's login: the app serving GET loginPath (start) and its
// callback, against the in-process provider, on the same cookie store setup.
type flow struct {
	engine    *gin.Engine
	loginPath string
	// callbackQuery is added to the provider's redirect (goth finds its
	// provider by ?provider=).
	callbackQuery [2]string
	p             *provider
}

// storedToken is what the peers' callbacks keep in the session, as an app
// would: the token, JSON in a session value.
func storeToken(store sessionsStore, w http.ResponseWriter, r *http.Request, tok any) error {
	sess, err := store.Get(r, sessionName)
	if err != nil {
		return err
	}
	b, err := json.Marshal(tok)
	if err != nil {
		return err
	}
	sess.Values["token"] = string(b)
	return sess.Save(r, w)
}

// gindanceFlow mounts a blueprint on /login with the cookie session, which
// holds the token, as the defaults do: the pending login waits in a sealed
// cookie of its own, under a key derived from the client secret.
func gindanceFlow(p *provider) *flow { return gindanceFlowWith(p, func(*blueprint.OAuth2Config) {}) }

// gindanceSessionFlow is gindanceFlow with PendingLoginsInSession: the
// pending login in the cookie session too (the default until sealed login
// cookies were), so that the callback decodes the whole session to find it.
func gindanceSessionFlow(p *provider) *flow {
	return gindanceFlowWith(p, func(c *blueprint.OAuth2Config) { c.PendingLoginsInSession = true })
}

// gindanceKeyFlow is gindanceFlow with LoginCookieKey: the same sealed
// cookie under a key given rather than derived. Like zitadel's cookie
// handler, it is given a key.
func gindanceKeyFlow(p *provider) *flow {
	return gindanceFlowWith(p, func(c *blueprint.OAuth2Config) { c.LoginCookieKey = loginKey })
}

func gindanceFlowWith(p *provider, tweak func(*blueprint.OAuth2Config)) *flow {
	cfg := p.oauth2Config("fake")
	tweak(&cfg)
	bp := blueprint.NewOAuth2("fake", cfg)
	r := gin.New()
	r.Use(sessions.Sessions(sessionName, newCookieStore()))
	bp.Mount(r.Group("/login"))
	return &flow{engine: r, loginPath: "/login/fake", p: p}
}

// gothFlow is gothic's BeginAuthHandler and CompleteUserAuth with a generic
// OAuth 2.0 provider (goth's GitLab provider with custom URLs). goth keeps
// its state in gothic.Store, here the same gorilla cookie store. goth does
// not do PKCE; the provider allows that for it. CompleteUserAuth also fetches
// the user's profile (one more call to the in-process provider).
func gothFlow(p *provider) *flow {
	store := gorillaStore()
	gothic.Store = store
	gp := gitlab.NewCustomisedURL(gintest.DefaultClientID, gintest.DefaultClientSecret,
		appBase+"/login/goth/authorized", idpBase+"/authorize", idpBase+"/token", idpBase+"/profile", "profile")
	gp.HTTPClient = p.client
	goth.UseProviders(gp)
	r := gin.New()
	r.GET("/login/goth", func(c *gin.Context) { gothic.BeginAuthHandler(c.Writer, c.Request) })
	r.GET("/login/goth/authorized", func(c *gin.Context) {
		u, err := gothic.CompleteUserAuth(c.Writer, c.Request)
		if err != nil {
			c.String(http.StatusBadRequest, err.Error())
			return
		}
		tok := oauth2.Token{AccessToken: u.AccessToken, RefreshToken: u.RefreshToken, Expiry: u.ExpiresAt}
		if err := storeToken(store, c.Writer, c.Request, &tok); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.Redirect(http.StatusFound, "/")
	})
	return &flow{engine: r, loginPath: "/login/goth?provider=gitlab", callbackQuery: [2]string{"provider", "gitlab"}, p: p}
}

// zitadelFlow is zitadel/oidc rp's AuthURLHandler and CodeExchangeHandler
// for an OAuth 2.0 relying party with PKCE, its cookie handler on the same
// keys; the callback keeps the token in the same gorilla cookie store.
func zitadelFlow(p *provider) *flow {
	store := gorillaStore()
	ch := httphelper.NewCookieHandler(hashKey, blockKey, httphelper.WithUnsecure())
	party, err := rp.NewRelyingPartyOAuth(&oauth2.Config{
		ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		Endpoint:    oauth2.Endpoint{AuthURL: idpBase + "/authorize", TokenURL: idpBase + "/token"},
		RedirectURL: appBase + "/login/zitadel/authorized", Scopes: []string{"profile"},
	}, rp.WithCookieHandler(ch), rp.WithPKCE(ch), rp.WithHTTPClient(p.client), rp.WithAuthStyle(oauth2.AuthStyleInHeader))
	if err != nil {
		panic(err)
	}
	callback := func(w http.ResponseWriter, r *http.Request, tokens *oidc.Tokens[*oidc.IDTokenClaims], state string, _ rp.RelyingParty) {
		if err := storeToken(store, w, r, tokens.Token); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/", http.StatusFound)
	}
	r := gin.New()
	r.GET("/login/zitadel", gin.WrapF(rp.AuthURLHandler(randomState, party)))
	r.GET("/login/zitadel/authorized", gin.WrapF(rp.CodeExchangeHandler(callback, party)))
	return &flow{engine: r, loginPath: "/login/zitadel", p: p}
}

type sessionsStore interface {
	Get(r *http.Request, name string) (*gsessions.Session, error)
}

var flows = []struct {
	name string
	make func(p *provider) *flow
}{
	{"gindance", gindanceFlow},
	{"gindance-session", gindanceSessionFlow},
	{"gindance-key", gindanceKeyFlow},
	{"goth", gothFlow},
	{"zitadel", zitadelFlow},
}

// start runs GET loginPath as a browser without cookies would.
func (f *flow) start(w http.ResponseWriter) {
	req := httptest.NewRequest(http.MethodGet, f.loginPath, nil)
	f.engine.ServeHTTP(w, req)
}

// pending starts a login and returns the browser's cookies and the callback
// URL the provider redirects back to.
func (f *flow) pending(tb testing.TB) ([]*http.Cookie, string) {
	w := httptest.NewRecorder()
	f.start(w)
	if w.Code != http.StatusFound && w.Code != http.StatusTemporaryRedirect {
		tb.Fatalf("login start: %d %s", w.Code, w.Body.String())
	}
	jar := requestCookies(nil, w.Header())
	cb := f.p.authorize(tb, w.Header().Get("Location"))
	if f.callbackQuery[0] != "" {
		cb = withQuery(cb, f.callbackQuery[0], f.callbackQuery[1])
	}
	return jar, strings.TrimPrefix(cb, appBase)
}

// callbackRequest is the browser's request to the callback.
func callbackRequest(jar []*http.Cookie, target string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for _, c := range jar {
		req.AddCookie(c)
	}
	return req
}

// BenchmarkLoginStart is GET /login/<name>: state, PKCE where the library
// does it, the pending login in a cookie, and the redirect.
func BenchmarkLoginStart(b *testing.B) {
	for _, fl := range flows {
		b.Run(fl.name, func(b *testing.B) {
			f := fl.make(newProvider(gintest.Options{AllowMissingPKCE: true}))
			w := newDiscard()
			f.start(w)
			if w.code != http.StatusFound && w.code != http.StatusTemporaryRedirect {
				b.Fatalf("login start: %d", w.code)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				w.reset()
				f.start(w)
			}
		})
	}
}

// BenchmarkCallback is the provider's redirect back: the pending login
// checked and consumed, the code exchanged at the in-process provider, the
// token kept in the cookie session, and the redirect. Each op needs a login
// and code of its own: the b.N logins are started and authorized before the
// timer runs, so that the timed loop holds callbacks only (no Stop/Start
// per op, whose memory statistics stop the world).
func BenchmarkCallback(b *testing.B) {
	for _, fl := range flows {
		b.Run(fl.name, func(b *testing.B) {
			f, reqs := pendingCallbacks(b, fl.make)
			w := newDiscard()
			b.ReportAllocs()
			b.ResetTimer()
			for _, req := range reqs {
				w.reset()
				f.engine.ServeHTTP(w, req)
				if w.code != http.StatusFound {
					b.Fatalf("callback: %d %v", w.code, w.h)
				}
			}
			b.StopTimer()
			if loc := w.h.Get("Location"); loc != "/" {
				b.Fatalf("callback redirected to %q", loc)
			}
		})
	}
}

// pendingCallbacks makes a flow and b.N callback requests for it, each for
// a login of its own, started and authorized.
func pendingCallbacks(b *testing.B, newFlow func(p *provider) *flow) (*flow, []*http.Request) {
	f := newFlow(newProvider(gintest.Options{AllowMissingPKCE: true}))
	reqs := make([]*http.Request, b.N)
	for i := range reqs {
		jar, target := f.pending(b)
		reqs[i] = callbackRequest(jar, target)
	}
	return f, reqs
}

// BenchmarkCallbackSetup is BenchmarkCallback without the callbacks: only
// the logins each of its ops needs, started and authorized. icount.sh
// subtracts its instruction count from BenchmarkCallback's to leave the
// callbacks' own; its times mean nothing.
func BenchmarkCallbackSetup(b *testing.B) {
	for _, fl := range flows {
		b.Run(fl.name, func(b *testing.B) {
			if _, reqs := pendingCallbacks(b, fl.make); len(reqs) != b.N {
				b.Fatalf("%d callbacks for %d ops", len(reqs), b.N)
			}
		})
	}
}

// Every library completes the login against the provider.
func TestFlows(t *testing.T) {
	for _, fl := range flows {
		p := newProvider(gintest.Options{AllowMissingPKCE: true})
		f := fl.make(p)
		jar, target := f.pending(t)
		w := httptest.NewRecorder()
		f.engine.ServeHTTP(w, callbackRequest(jar, target))
		if w.Code != http.StatusFound || w.Header().Get("Location") != "/" {
			t.Fatalf("%s callback: %d %s", fl.name, w.Code, w.Body.String())
		}
		if n := p.Calls(gintest.EndpointToken); n != 1 {
			t.Fatalf("%s: %d token calls", fl.name, n)
		}
	}
}
