package blueprint_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// replica is one instance of an app: its own blueprint, engine and server,
// with the session store keys every instance shares (newEngine).
type replica struct {
	url  string
	errs []error
}

func (r *replica) lastErr() error {
	if len(r.errs) == 0 {
		return nil
	}
	return r.errs[len(r.errs)-1]
}

// newReplica starts an instance of the app whose blueprint "fake" is made
// from p's config and tweak, as every replica of a deployment is made from
// the same config.
func newReplica(t *testing.T, p *gintest.Provider, tweak ...func(*blueprint.OAuth2Config)) *replica {
	t.Helper()
	rep := &replica{}
	b := p.NewBlueprint("fake", tweak...)
	b.OnError(func(c *gin.Context, err error) {
		rep.errs = append(rep.errs, err)
		blueprint.DefaultErrorHandler(c, err)
	})
	r := newEngine()
	b.Mount(r.Group("/login"))
	r.GET("/me", b.Require(), func(c *gin.Context) {
		id, err := b.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "identity: %v", err)
			return
		}
		c.String(http.StatusOK, id.Username)
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	rep.url = srv.URL
	return rep
}

// startOn starts a login on rep in br and returns the provider's callback
// URL, which points back at rep, without visiting it.
func startOn(t *testing.T, br *gintest.Browser, rep *replica) string {
	t.Helper()
	page, err := br.NoFollow().Get(rep.url + "/login/fake?next=/me")
	if err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("login start: %v %+v", err, page)
	}
	page, err = br.NoFollow().Get(page.Header.Get("Location"))
	if err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %v %+v", err, page)
	}
	return page.Header.Get("Location")
}

// on is cb sent to rep instead (a load balancer's choice). Both replicas
// listen on 127.0.0.1, so the browser sends them the same cookies.
func on(t *testing.T, rep *replica, cb string) string {
	t.Helper()
	u, err := url.Parse(cb)
	if err != nil {
		t.Fatal(err)
	}
	return rep.url + u.RequestURI()
}

// By default a login start sets one pending-login cookie,
// gindance-login.<name>.<key>, and no session cookie: the session is not
// read or written until the callback stores the token.
func TestDefaultKeepsPendingLoginInASealedCookie(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u-1", Login: "alice"}})
	t.Cleanup(p.Close)
	rep := newReplica(t, p, withDerivedKey)
	br := gintest.NewBrowser()
	page, err := br.NoFollow().Get(rep.url + "/login/fake?next=/me")
	if err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("login start: %v %+v", err, page)
	}
	lines := page.Header.Values("Set-Cookie")
	if len(lines) != 1 {
		t.Fatalf("login start set %q; want one pending-login cookie and no session", lines)
	}
	name, _, _ := strings.Cut(lines[0], "=")
	key, ok := strings.CutPrefix(name, "gindance-login.fake.")
	if !ok || len(key) != 24 || strings.Contains(key, ".") {
		t.Fatalf("cookie %q is not gindance-login.fake.<key>", name)
	}
	for _, attr := range []string{"Path=/login/fake;", "HttpOnly", "SameSite=Lax"} {
		mustContain(t, lines[0], attr)
	}
	if len(lines[0]) > 400 {
		t.Errorf("a pending-login cookie of %d bytes; docs/sessions.md says about 240", len(lines[0]))
	}
	page, err = br.Get(page.Header.Get("Location"))
	if err != nil || page.StatusCode != http.StatusOK || page.Body != "alice" {
		t.Fatalf("login: %v %+v (%v)", err, page, rep.lastErr())
	}
}

// Two replicas built from the same config complete each other's logins:
// the key is derived from what they share (the client secret), not made at
// random per process.
func TestReplicasCompleteEachOthersLogins(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u-1", Login: "alice"}})
	t.Cleanup(p.Close)
	a, b := newReplica(t, p, withDerivedKey), newReplica(t, p, withDerivedKey)
	for _, hop := range [][2]*replica{{a, b}, {b, a}} {
		br := gintest.NewBrowser()
		cb := startOn(t, br, hop[0])
		page, err := br.Get(on(t, hop[1], cb))
		if err != nil || page.StatusCode != http.StatusOK || page.Body != "alice" {
			t.Fatalf("login started on one replica, finished on the other: %v %+v (%v)", err, page, hop[1].lastErr())
		}
	}
	if n := p.Calls(gintest.EndpointToken); n != 2 {
		t.Fatalf("%d code exchanges for two logins", n)
	}
}

// A replica with another client secret (the secret rotated while a login
// was pending) cannot open the pending login: ErrStateMismatch, before any
// code is exchanged. The user starts again.
func TestRotatedClientSecretFailsPendingLogin(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u-1", Login: "alice"}})
	t.Cleanup(p.Close)
	old := newReplica(t, p, withDerivedKey)
	rotated := newReplica(t, p, withDerivedKey, func(c *blueprint.OAuth2Config) { c.ClientSecret = "the next client secret" })
	br := gintest.NewBrowser()
	page, err := br.Get(on(t, rotated, startOn(t, br, old)))
	if err != nil || page.StatusCode != http.StatusBadRequest || !errors.Is(rotated.lastErr(), blueprint.ErrStateMismatch) {
		t.Fatalf("callback under another secret: %v %+v %v", err, page, rotated.lastErr())
	}
	if n := p.Calls(gintest.EndpointToken); n != 0 {
		t.Fatalf("%d codes exchanged", n)
	}
}

// denyApp mounts a blueprint without a provider behind it; the callbacks
// sent to it carry error=access_denied, which is checked after the pending
// login is found: an *AuthError means the login opened, ErrStateMismatch
// that it did not. got holds the last error OnError saw.
func denyApp(name string, cfg blueprint.OAuth2Config) (r *gin.Engine, got *error) {
	b := blueprint.NewOAuth2(name, cfg)
	got = new(error)
	b.OnError(func(c *gin.Context, err error) { *got = err; blueprint.DefaultErrorHandler(c, err) })
	r = newEngine()
	b.Mount(r.Group("/login"))
	return r, got
}

// startIn starts a login of blueprint name on r; it returns the login's
// state and the cookies the browser then holds.
func startIn(t *testing.T, r *gin.Engine, name string) (string, []*http.Cookie) {
	t.Helper()
	w := serve(r, http.MethodGet, "/login/"+name, nil)
	if w.Code != http.StatusFound {
		t.Fatalf("login start: %d %s", w.Code, w.Body.String())
	}
	return queryOf(t, w.Header().Get("Location")).Get("state"), mergeCookies(nil, w)
}

// denied sends a denial for state with cookies to blueprint name on r and
// reports whether the pending login opened.
func denied(t *testing.T, r *gin.Engine, got *error, name, state string, cookies []*http.Cookie) bool {
	t.Helper()
	w := serve(r, http.MethodGet, "/login/"+name+"/authorized?error=access_denied&state="+url.QueryEscape(state), cookies)
	var ae *blueprint.AuthError
	switch {
	case errors.As(*got, &ae):
		return true
	case errors.Is(*got, blueprint.ErrStateMismatch):
		return false
	}
	t.Fatalf("callback: %d %v", w.Code, *got)
	return false
}

// The derived key binds the client ID and the blueprint's name: another
// client sharing the secret, or another blueprint of the app, cannot open
// the pending login, even with the cookie renamed to its own.
func TestDerivedKeyDiffersPerClientIDAndName(t *testing.T) {
	cfg := staticConfig("")
	withDerivedKey(&cfg)
	a, gotA := denyApp("fake", cfg)
	state, jar := startIn(t, a, "fake")
	if !denied(t, a, gotA, "fake", state, jar) {
		t.Fatal("the blueprint cannot open its own pending login")
	}

	other := cfg
	other.ClientID = "another-client"
	b, gotB := denyApp("fake", other)
	state, jar = startIn(t, a, "fake")
	if denied(t, b, gotB, "fake", state, jar) {
		t.Fatal("a blueprint of another client ID with the same secret opened the pending login")
	}

	c, gotC := denyApp("other", cfg)
	state, jar = startIn(t, a, "fake")
	for _, ck := range jar {
		ck.Name = strings.Replace(ck.Name, "gindance-login.fake.", "gindance-login.other.", 1)
	}
	if denied(t, c, gotC, "other", state, jar) {
		t.Fatal("a blueprint of another name opened the pending login")
	}
}

// Where the pending login waits: a sealed cookie when a key is derived
// (from the client secret or a readable private_key_jwt key) or given; the
// session, written at the login start, with PendingLoginsInSession. In each
// case the login it started opens again.
func TestWherePendingLoginsWait(t *testing.T) {
	key := mustECKey(t)
	for _, tc := range []struct {
		name   string
		bp     string // blueprint name
		tweak  func(*blueprint.OAuth2Config)
		cookie bool
	}{
		{"client secret", "fake", func(*blueprint.OAuth2Config) {}, true},
		{"PendingLoginsInSession", "fake", func(c *blueprint.OAuth2Config) { c.PendingLoginsInSession = true }, false},
		{"public client with PendingLoginsInSession", "fake", func(c *blueprint.OAuth2Config) {
			c.ClientSecret, c.PublicClient, c.PendingLoginsInSession = "", true, true
		}, false},
		{"public client with LoginCookieKey", "fake", func(c *blueprint.OAuth2Config) {
			c.ClientSecret, c.PublicClient, c.LoginCookieKey = "", true, testLoginKey
		}, true},
		{"private_key_jwt", "fake", func(c *blueprint.OAuth2Config) {
			c.ClientSecret, c.ClientKeys = "", []blueprint.ClientKey{{Signer: key}}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := staticConfig("")
			withDerivedKey(&cfg)
			tc.tweak(&cfg)
			r, got := denyApp(tc.bp, cfg) // Mount panics on a configuration error
			w := serve(r, http.MethodGet, "/login/"+tc.bp, nil)
			var loginCookie, session bool
			for _, ck := range w.Result().Cookies() {
				loginCookie = loginCookie || strings.HasPrefix(ck.Name, "gindance-login.")
				session = session || ck.Name == "gindance"
			}
			if w.Code != http.StatusFound || loginCookie != tc.cookie || session == tc.cookie {
				t.Fatalf("login start: %d, pending-login cookie %v, session written %v; want the cookie %v", w.Code, loginCookie, session, tc.cookie)
			}
			state := queryOf(t, w.Header().Get("Location")).Get("state")
			if !denied(t, r, got, tc.bp, state, mergeCookies(nil, w)) {
				t.Fatal("the pending login did not open")
			}
		})
	}
}

// A blueprint whose pending logins cannot wait where it asked (or, asking
// nothing, under the derived key) fails Validate and Mount with ErrConfig
// naming both fixes; before, it kept them in the session without a word.
func TestPendingLoginModeThatCannotBeUsedIsAConfigError(t *testing.T) {
	key := mustECKey(t)
	for name, tweak := range map[string]func(*blueprint.OAuth2Config){
		"public client": func(c *blueprint.OAuth2Config) { c.ClientSecret, c.PublicClient = "", true },
		"private_key_jwt, opaque signer": func(c *blueprint.OAuth2Config) {
			c.ClientSecret, c.ClientKeys = "", []blueprint.ClientKey{{Signer: opaqueSigner{key}}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := staticConfig("")
			withDerivedKey(&cfg)
			tweak(&cfg)
			b := blueprint.NewOAuth2("fake", cfg)
			err := b.Validate()
			if !errors.Is(err, blueprint.ErrConfig) || !strings.Contains(err.Error(), "set LoginCookieKey") || !strings.Contains(err.Error(), "PendingLoginsInSession") {
				t.Fatalf("Validate = %v; want ErrConfig naming LoginCookieKey and PendingLoginsInSession", err)
			}
			defer func() {
				if recover() == nil {
					t.Fatal("Mount accepted the blueprint")
				}
			}()
			b.Mount(gin.New().Group("/login"))
		})
	}
}

// A blueprint name outside [A-Za-z0-9_-] is refused whichever way pending
// logins wait: before, in the default mode, it moved them to the session
// without a word.
func TestBlueprintNameOutsideLettersDigitsDashUnderscoreRefused(t *testing.T) {
	modes := map[string]func(*blueprint.OAuth2Config){
		"derived key":            withDerivedKey,
		"LoginCookieKey":         func(*blueprint.OAuth2Config) {},
		"PendingLoginsInSession": withPendingInSession,
	}
	for _, name := range []string{"my.app", "", "a/b", "caf\u00e9", "x y"} {
		for mode, tweak := range modes {
			cfg := staticConfig("")
			tweak(&cfg)
			if err := blueprint.NewOAuth2(name, cfg).Validate(); !errors.Is(err, blueprint.ErrConfig) || !strings.Contains(err.Error(), "letters, digits") {
				t.Errorf("%q, %s: Validate = %v; want ErrConfig naming the allowed characters", name, mode, err)
			}
		}
	}
	o1 := oauth1Config()
	if err := blueprint.NewOAuth1("my.app", o1).Validate(); !errors.Is(err, blueprint.ErrConfig) {
		t.Errorf("OAuth 1.0a: Validate = %v; want ErrConfig", err)
	}
	if err := blueprint.NewOAuth2("My_app-2", staticConfig("")).Validate(); err != nil {
		t.Errorf("a valid name: %v", err)
	}
}

// With ClientKeys the key is derived from the newest key (the latest
// NotBefore, even one not signing yet), so that replicas started before
// and after its NotBefore agree; listing another newest key is a new
// pending-login key.
func TestDerivedKeyFollowsNewestClientKey(t *testing.T) {
	k1, k2 := mustECKey(t), mustECKey(t)
	app := func(keys ...blueprint.ClientKey) (*gin.Engine, *error) {
		cfg := staticConfig("")
		withDerivedKey(&cfg)
		cfg.ClientSecret, cfg.ClientKeys = "", keys
		return denyApp("fake", cfg)
	}
	soon := time.Now().Add(time.Hour)
	a, _ := app(blueprint.ClientKey{Signer: k1}, blueprint.ClientKey{Signer: k2, NotBefore: soon})
	same, gotSame := app(blueprint.ClientKey{Signer: k2, NotBefore: soon}, blueprint.ClientKey{Signer: k1})
	onlyOld, gotOld := app(blueprint.ClientKey{Signer: k1})
	state, jar := startIn(t, a, "fake")
	if !denied(t, same, gotSame, "fake", state, jar) {
		t.Fatal("a replica with the same keys in another order could not open the pending login")
	}
	state, jar = startIn(t, a, "fake")
	if denied(t, onlyOld, gotOld, "fake", state, jar) {
		t.Fatal("the key was derived from the key that signs now, not the newest")
	}
}

// PendingLoginsInSession together with LoginCookieKey asks for two places
// at once: a configuration error.
func TestPendingLoginsInSessionWithLoginCookieKeyIsAConfigError(t *testing.T) {
	cfg := staticConfig("")
	cfg.PendingLoginsInSession, cfg.LoginCookieKey = true, testLoginKey
	err := blueprint.NewOAuth2("fake", cfg).Validate()
	if !errors.Is(err, blueprint.ErrConfig) || !strings.Contains(err.Error(), "PendingLoginsInSession") {
		t.Fatalf("Validate: %v", err)
	}
	p := gintest.StartOAuth1Provider(gintest.OAuth1Options{})
	t.Cleanup(p.Close)
	o1 := p.OAuth1Config()
	o1.PendingLoginsInSession, o1.LoginCookieKey = true, testLoginKey
	if err := blueprint.NewOAuth1("tw", o1).Validate(); !errors.Is(err, blueprint.ErrConfig) || !strings.Contains(err.Error(), "PendingLoginsInSession") {
		t.Fatalf("OAuth 1.0a Validate: %v", err)
	}
}
