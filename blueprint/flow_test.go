package blueprint_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

func TestFullLoginLandsOnNextWithIdentity(t *testing.T) {
	forEachCallbackMode(t, func(t *testing.T, mode pendingMode) {
		f := newFixture(t, gintest.Options{}, mode.tweak)
		page := f.get(t, "/login/fake?next=/me")
		if page.StatusCode != 200 || page.Body != "alice" || page.URL.Path != "/me" {
			t.Fatalf("ended on %s %d %q", page.URL, page.StatusCode, page.Body)
		}
		if n := f.p.Calls(gintest.EndpointToken); n != 1 {
			t.Fatalf("token endpoint calls = %d", n)
		}
		if got := f.get(t, "/api").Body; got != "alice" {
			t.Fatalf("API through Client: %q", got)
		}
	})
}

func TestCallbackResponseHeaders(t *testing.T) {
	f := newFixture(t, gintest.Options{})
	cb := f.startLogin(t, "")
	page, err := f.browser.NoFollow().Get(cb)
	if err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("%v %+v", err, page)
	}
	if page.Header.Get("Referrer-Policy") != "no-referrer" || page.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("headers: %v", page.Header)
	}
	if loc := page.Header.Get("Location"); loc != "/" {
		t.Fatalf("Location %q; want RedirectTo", loc)
	}
}

// RFC 9700 §4.7 (CSRF): the callback needs the state of a login this
// browser started.
func TestCallbackRefusesMissingForgedAndReplayedState(t *testing.T) {
	forEachCallbackMode(t, func(t *testing.T, mode pendingMode) {
		f := newFixture(t, gintest.Options{}, mode.tweak)
		cb := f.startLogin(t, "")
		u, _ := url.Parse(cb)
		q := u.Query()

		noState := *u
		q2 := url.Values{"code": {q.Get("code")}}
		noState.RawQuery = q2.Encode()
		if page, _ := f.deliver(f.browser, noState.String()); page.StatusCode != 400 || !errors.Is(f.lastErr(), blueprint.ErrStateMismatch) {
			t.Fatalf("missing state: %d %v", page.StatusCode, f.lastErr())
		}
		forged := *u
		q3 := url.Values{"code": {q.Get("code")}, "state": {strings.Repeat("A", 43)}}
		forged.RawQuery = q3.Encode()
		if page, _ := f.deliver(f.browser, forged.String()); page.StatusCode != 400 || !errors.Is(f.lastErr(), blueprint.ErrStateMismatch) {
			t.Fatalf("forged state: %d %v", page.StatusCode, f.lastErr())
		}
		// the real callback still works: the failed attempts consumed nothing
		if page, _ := f.deliver(f.browser, cb); page.StatusCode != 200 || page.Body != "home authorized=true" {
			t.Fatalf("real callback: %d %q", page.StatusCode, page.Body)
		}
		if page, _ := f.deliver(f.browser, cb); page.StatusCode != 400 || !errors.Is(f.lastErr(), blueprint.ErrStateMismatch) {
			t.Fatalf("replayed callback: %d %v", page.StatusCode, f.lastErr())
		}
		if f.logins != 1 || f.p.Calls(gintest.EndpointToken) != 1 {
			t.Fatalf("logins %d token calls %d", f.logins, f.p.Calls(gintest.EndpointToken))
		}
	})
}

// Login CSRF (RFC 9700 §4.7.1): a callback URL from another browser's login
// is refused, because the state is bound to the browser that started it
// (its session, or with LoginCookieKey its own cookie).
func TestCallbackRefusesStateOfAnotherBrowser(t *testing.T) {
	forEachCallbackMode(t, func(t *testing.T, mode pendingMode) {
		f := newFixture(t, gintest.Options{}, mode.tweak)
		cb := f.startLogin(t, "")
		victim := gintest.NewBrowser()
		page, err := f.deliver(victim, cb)
		if err != nil || page.StatusCode != 400 {
			t.Fatalf("victim: %v %d", err, page.StatusCode)
		}
		if p2, _ := victim.Get(f.app.URL + "/"); p2.Body != "home authorized=false" {
			t.Fatalf("victim got logged in: %q", p2.Body)
		}
	})
}

func TestCallbackRefusesExpiredLogin(t *testing.T) {
	forEachCallbackMode(t, func(t *testing.T, mode pendingMode) {
		f := newFixture(t, gintest.Options{}, mode.tweak, func(c *blueprint.OAuth2Config) { c.LoginTTL = 1 })
		cb := f.startLogin(t, "")
		page, _ := f.deliver(f.browser, cb)
		if page.StatusCode != 400 || !errors.Is(f.lastErr(), blueprint.ErrStateExpired) {
			t.Fatalf("%d %v", page.StatusCode, f.lastErr())
		}
		if f.p.Calls(gintest.EndpointToken) != 0 {
			t.Fatal("an expired login exchanged its code")
		}
	})
}

// Several tabs log in at once; each finishes, in any order.
func TestTwoTabsLogInAtOnce(t *testing.T) {
	forEachCallbackMode(t, func(t *testing.T, mode pendingMode) {
		f := newFixture(t, gintest.Options{}, mode.tweak)
		first := f.startLogin(t, "/me?tab=1")
		second := f.startLogin(t, "/me?tab=2")
		for _, cb := range []string{second, first} {
			page, err := f.deliver(f.browser, cb)
			if err != nil || page.StatusCode != 200 || page.Body != "alice" {
				t.Fatalf("callback %s: %v %d %q", cb, err, page.StatusCode, page.Body)
			}
		}
		if f.logins != 2 {
			t.Fatalf("logins = %d", f.logins)
		}
	})
}

// A flood of login starts from one browser keeps at most MaxPendingLogins,
// the oldest evicted first, and never grows a cookie past what browsers
// keep: in the session, one cookie stays small and there is no
// pending-login cookie; with sealed cookies (the default), the browser
// holds exactly five pending-login cookies.
func TestPendingLoginsAreBounded(t *testing.T) {
	forEachPendingMode(t, func(t *testing.T, mode pendingMode) {
		f := newFixture(t, gintest.Options{}, mode.tweak)
		var cbs []string
		for i := 0; i < 40; i++ {
			cbs = append(cbs, f.startLogin(t, "/me"))
		}
		for _, c := range f.browser.Cookies(f.app.URL + "/login/fake") {
			if len(c.Value) > 3000 {
				t.Fatalf("cookie %s grew to %d bytes", c.Name, len(c.Value))
			}
		}
		want := blueprint.DefaultMaxPendingLogins
		if mode.name == "session" {
			want = 0
		}
		if n := len(loginCookies(f)); n != want {
			t.Fatalf("%d pending-login cookies; want %d", n, want)
		}
		kept := len(cbs) - blueprint.DefaultMaxPendingLogins
		if page, _ := f.browser.Get(cbs[kept-1]); page.StatusCode != http.StatusBadRequest {
			t.Fatalf("the sixth newest login should have been evicted: %d", page.StatusCode)
		}
		if page, _ := f.browser.Get(cbs[kept]); page.StatusCode != http.StatusOK {
			t.Fatalf("the fifth newest login failed: %d %q", page.StatusCode, page.Body)
		}
	})
}

func TestProviderDenialIsAnAuthError(t *testing.T) {
	forEachCallbackMode(t, func(t *testing.T, mode pendingMode) {
		f := newFixture(t, gintest.Options{}, mode.tweak)
		f.p.Fail(gintest.Failure{Deny: true})
		page := f.get(t, "/login/fake")
		var ae *blueprint.AuthError
		if page.StatusCode != http.StatusForbidden || !errors.As(f.lastErr(), &ae) || ae.Code != "access_denied" {
			t.Fatalf("%d %v", page.StatusCode, f.lastErr())
		}
		if f.p.Calls(gintest.EndpointToken) != 0 || f.get(t, "/").Body != "home authorized=false" {
			t.Fatal("a denied login stored something or exchanged a code")
		}
	})
}

// RFC 6749 §5.1: a 200 without access_token is not a login.
func TestTokenResponseWithoutAccessTokenFails(t *testing.T) {
	f := newFixture(t, gintest.Options{})
	f.p.Fail(gintest.Failure{TokenMissingAccessToken: true})
	page := f.get(t, "/login/fake")
	var pe *blueprint.ProviderError
	if page.StatusCode != http.StatusBadGateway || !errors.As(f.lastErr(), &pe) || !errors.Is(f.lastErr(), blueprint.ErrNoAccessToken) {
		t.Fatalf("%d %v", page.StatusCode, f.lastErr())
	}
	if f.logins != 0 || f.get(t, "/").Body != "home authorized=false" {
		t.Fatal("a login without access token was stored")
	}
}

func TestBadTokenResponsesFailClearly(t *testing.T) {
	cases := map[string]struct {
		fail gintest.Failure
		want error
	}{
		"garbage JSON":     {gintest.Failure{TokenGarbage: true}, blueprint.ErrBadTokenResponse},
		"HTML page":        {gintest.Failure{TokenHTML: true}, blueprint.ErrBadTokenResponse},
		"2 MiB answer":     {gintest.Failure{TokenHuge: 2 << 20}, blueprint.ErrBadTokenResponse},
		"mac token type":   {gintest.Failure{TokenType: "mac"}, blueprint.ErrUnsupportedTokenType},
		"500 error page":   {gintest.Failure{TokenStatus: 500}, nil},
		"invalid_grant":    {gintest.Failure{TokenError: "invalid_grant"}, nil},
		"unsupported type": {gintest.Failure{TokenError: "unauthorized_client"}, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, gintest.Options{})
			f.p.Fail(tc.fail)
			page := f.get(t, "/login/fake")
			var pe *blueprint.ProviderError
			if page.StatusCode != http.StatusBadGateway || !errors.As(f.lastErr(), &pe) {
				t.Fatalf("%d %v", page.StatusCode, f.lastErr())
			}
			if tc.want != nil && !errors.Is(f.lastErr(), tc.want) {
				t.Fatalf("err %v; want %v", f.lastErr(), tc.want)
			}
			if tc.fail.TokenError != "" && pe.Code != tc.fail.TokenError {
				t.Fatalf("code %q", pe.Code)
			}
			if f.logins != 0 {
				t.Fatal("OnLogin ran")
			}
		})
	}
}

func TestSlowTokenEndpointIsBoundedByProviderTimeout(t *testing.T) {
	f := newFixture(t, gintest.Options{}, func(c *blueprint.OAuth2Config) { c.ProviderTimeout = 200 * 1e6 })
	f.p.Fail(gintest.Failure{TokenDelay: 5e9})
	page := f.get(t, "/login/fake")
	if page.StatusCode != http.StatusBadGateway {
		t.Fatalf("%d %v", page.StatusCode, f.lastErr())
	}
}

// RFC 9700 §4.11: hostile next values end on RedirectTo.
func TestUnsafeNextFallsBackToRedirectTo(t *testing.T) {
	f := newFixture(t, gintest.Options{}, func(c *blueprint.OAuth2Config) { c.RedirectTo = "/me" })
	for _, next := range []string{"//evil.example", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", "/%2F%2Fevil.example", "/a\nb"} {
		cb := f.startLogin(t, next)
		page, err := f.browser.NoFollow().Get(cb)
		if err != nil || page.Header.Get("Location") != "/me" {
			t.Fatalf("next %q: Location %q", next, page.Header.Get("Location"))
		}
	}
}

func TestOnLoginSkipStoreAndErrors(t *testing.T) {
	f := newFixture(t, gintest.Options{})
	f.b.OnLogin(func(c *gin.Context, tok *blueprint.Token) error { return blueprint.ErrSkipStore })
	if page := f.get(t, "/login/fake"); page.Body != "home authorized=false" {
		t.Fatalf("ErrSkipStore stored the token: %q", page.Body)
	}

	g := newFixture(t, gintest.Options{})
	boom := errors.New("user is banned")
	g.b.OnLogin(func(c *gin.Context, tok *blueprint.Token) error { return boom })
	page := g.get(t, "/login/fake")
	if !errors.Is(g.lastErr(), boom) || page.StatusCode != 500 || g.get(t, "/").Body != "home authorized=false" {
		t.Fatalf("%d %v", page.StatusCode, g.lastErr())
	}
}

// An OnLogin hook that answers the request itself keeps its answer, and the
// token is stored all the same (the session cookie is in that answer).
func TestOnLoginMayWriteItsOwnResponse(t *testing.T) {
	f := newFixture(t, gintest.Options{})
	f.b.OnLogin(func(c *gin.Context, tok *blueprint.Token) error {
		c.Redirect(http.StatusFound, "/welcome")
		return nil
	})
	cb := f.startLogin(t, "/me")
	page, _ := f.browser.NoFollow().Get(cb)
	if page.Header.Get("Location") != "/welcome" {
		t.Fatalf("Location %q", page.Header.Get("Location"))
	}
	if got := f.get(t, "/").Body; got != "home authorized=true" {
		t.Fatalf("token not stored: %q", got)
	}
}

// A token that does not fit the cookie session fails the login clearly and
// stores nothing.
func TestCookieOverflowAtLoginFailsClearly(t *testing.T) {
	f := newFixture(t, gintest.Options{})
	f.b.OnLogin(func(c *gin.Context, tok *blueprint.Token) error {
		tok.Extra = map[string]any{"blob": strings.Repeat("x", 6000)}
		return nil
	})
	page := f.get(t, "/login/fake")
	if page.StatusCode != 500 || !errors.Is(f.lastErr(), blueprint.ErrTokenTooLarge) {
		t.Fatalf("%d %v", page.StatusCode, f.lastErr())
	}
	if got := f.get(t, "/").Body; got != "home authorized=false" {
		t.Fatalf("after overflow: %q", got)
	}
}

func TestRequireRedirectsBrowsersAndAnswersAPIs(t *testing.T) {
	f := newFixture(t, gintest.Options{})
	page, _ := f.browser.NoFollow().Get(f.app.URL + "/me?tab=a%20b")
	if page.StatusCode != 302 || page.Header.Get("Location") != "/login/fake?next="+url.QueryEscape("/me?tab=a%20b") {
		t.Fatalf("%d Location %q", page.StatusCode, page.Header.Get("Location"))
	}
	req, _ := http.NewRequest("GET", f.app.URL+"/me", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("%v %v", err, resp)
	}
	resp.Body.Close()
	// and Require's next survives the whole dance
	if p := f.get(t, "/me?tab=a%20b"); p.URL.RequestURI() != "/me?tab=a%20b" || p.Body != "alice" {
		t.Fatalf("ended on %s %q", p.URL, p.Body)
	}
}

func TestLogoutForgetsAndRevokes(t *testing.T) {
	f := newFixture(t, gintest.Options{})
	f.get(t, "/login/fake")
	if got := f.get(t, "/logout").Body; got != "bye" {
		t.Fatalf("logout: %q", got)
	}
	if f.p.Calls(gintest.EndpointRevoke) != 1 {
		t.Fatalf("revoke calls %d", f.p.Calls(gintest.EndpointRevoke))
	}
	if got := f.get(t, "/").Body; got != "home authorized=false" {
		t.Fatalf("after logout: %q", got)
	}
}
