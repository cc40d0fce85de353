package blueprint_test

// The attack catalogue, part 1: CSRF, code injection and mix-up. Every test
// named TestAttack* is a row of the table in SECURITY.md (internal/catalogue
// checks that the two agree). Each test plays the attacker against a real
// app and the gintest provider on loopback and asserts what the attacker or
// the victim would observe: the status, whether anybody got logged in, and
// whether a code was exchanged at all.

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// startLoginIn starts a login at loginURL in browser b and follows it to
// the provider's redirect back, returning the callback URL unvisited.
func startLoginIn(t *testing.T, b *gintest.Browser, loginURL string) string {
	t.Helper()
	nf := b.NoFollow()
	page, err := nf.Get(loginURL)
	if err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("login start %s: %v %+v", loginURL, err, page)
	}
	page, err = nf.Get(page.Header.Get("Location"))
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	return responseURL(t, page)
}

// withQuery returns raw with its query replaced by q.
func withQuery(t *testing.T, raw string, q url.Values) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func queryOf(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// Login CSRF (RFC 9700 §4.7.1, RFC 6749 §10.12): the attacker's callback
// URL, opened in a victim's browser that has a login of its own pending, is
// refused and does not disturb the victim's own login.
func TestAttackLoginCSRFWhileVictimLoginPending(t *testing.T) {
	forEachResponseMode(t, func(t *testing.T, mode pendingMode) {
		f := newFixture(t, gintest.Options{}, mode.tweak)
		f.p.SetUser(&gintest.User{ID: "u-mallory", Login: "mallory"})
		attackerCB := f.startLogin(t, "")

		victim := gintest.NewBrowser()
		f.p.SetUser(&gintest.User{ID: "u-victim", Login: "victim"})
		victimCB := startLoginIn(t, victim, f.app.URL+"/login/fake?next=/me")
		f.p.ResetCalls()

		page, err := deliver(victim, attackerCB, f.formPost)
		if err != nil || page.StatusCode != http.StatusBadRequest || !errors.Is(f.lastErr(), blueprint.ErrStateMismatch) {
			t.Fatalf("attacker's callback in the victim's browser: %v %d %v", err, page.StatusCode, f.lastErr())
		}
		if n := f.p.Calls(gintest.EndpointToken); n != 0 {
			t.Fatalf("the attacker's code was exchanged (%d token calls)", n)
		}
		if p, _ := victim.Get(f.app.URL + "/"); p.Body != "home authorized=false" {
			t.Fatalf("victim logged in by the attacker: %q", p.Body)
		}
		if p, _ := deliver(victim, victimCB, f.formPost); p.StatusCode != 200 || p.Body != "victim" {
			t.Fatalf("victim's own login after the attack: %d %q", p.StatusCode, p.Body)
		}
	})
}

// twoBlueprints is an app with two OAuth 2.0 blueprints, "a" and "b", each
// at its own gintest provider (so each has its own issuer, RFC 9207) unless
// shared is set.
type twoBlueprints struct {
	pa, pb   *gintest.Provider
	a, b     *blueprint.Blueprint
	app      *httptest.Server
	formPost bool // the blueprints ask for form_post responses
	mu       sync.Mutex
	errs     map[string]error
}

func newTwoBlueprints(t *testing.T, shared bool, tweaks ...func(*blueprint.OAuth2Config)) *twoBlueprints {
	t.Helper()
	tb := &twoBlueprints{errs: map[string]error{}}
	tb.pa = gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "a-1", Login: "alice-at-a"}})
	t.Cleanup(tb.pa.Close)
	tb.pb = tb.pa
	if !shared {
		tb.pb = gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "b-1", Login: "bob-at-b"}})
		t.Cleanup(tb.pb.Close)
	}
	r := newEngine()
	mk := func(p *gintest.Provider, name string) *blueprint.Blueprint {
		b := p.NewBlueprint(name, func(c *blueprint.OAuth2Config) {
			c.Issuer = p.URL()
			for _, tweak := range tweaks {
				tweak(c)
			}
			tb.formPost = c.FormPost
		})
		b.OnError(func(c *gin.Context, err error) {
			tb.mu.Lock()
			tb.errs[name] = err
			tb.mu.Unlock()
			blueprint.DefaultErrorHandler(c, err)
		})
		b.Mount(r.Group("/login"))
		return b
	}
	tb.a, tb.b = mk(tb.pa, "a"), mk(tb.pb, "b")
	r.GET("/", func(c *gin.Context) {
		c.String(http.StatusOK, "a=%v b=%v", tb.a.Authorized(c), tb.b.Authorized(c))
	})
	tb.app = httptest.NewServer(r)
	t.Cleanup(tb.app.Close)
	return tb
}

func (tb *twoBlueprints) err(name string) error {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return tb.errs[name]
}

func (tb *twoBlueprints) tokenCalls() int {
	n := tb.pa.Calls(gintest.EndpointToken)
	if tb.pb != tb.pa {
		n += tb.pb.Calls(gintest.EndpointToken)
	}
	return n
}

// RFC 9700 §4.7: a state is bound to the blueprint that issued it. The
// response to a login at blueprint a, delivered to blueprint b's callback
// (same browser, same provider, b has a login pending too), is refused, and
// a's login still completes afterwards.
func TestAttackStateOfAnotherBlueprintRefused(t *testing.T) {
	forEachResponseMode(t, func(t *testing.T, mode pendingMode) {
		tb := newTwoBlueprints(t, true, mode.tweak)
		br := gintest.NewBrowser()
		cbA := startLoginIn(t, br, tb.app.URL+"/login/a")
		startLoginIn(t, br, tb.app.URL+"/login/b")
		tb.pa.ResetCalls()

		u, _ := url.Parse(cbA)
		u.Path = "/login/b/authorized"
		page, err := deliver(br, u.String(), tb.formPost)
		if err != nil || page.StatusCode != http.StatusBadRequest || !errors.Is(tb.err("b"), blueprint.ErrStateMismatch) {
			t.Fatalf("a's response at b: %v %d %v", err, page.StatusCode, tb.err("b"))
		}
		if tb.tokenCalls() != 0 {
			t.Fatal("b exchanged a's code")
		}
		if page, _ := deliver(br, cbA, tb.formPost); page.Body != "a=true b=false" {
			t.Fatalf("a's own callback afterwards: %d %q", page.StatusCode, page.Body)
		}
	})
}

// Authorization code injection (RFC 9700 §4.5, RFC 7636 §1): an attacker
// who stole a victim's code pastes it into a callback of their own login.
// The exchange carries the attacker's PKCE verifier, which does not match
// the victim's challenge, so the provider refuses and nobody is logged in.
func TestAttackCodeInjectionRefusedByPKCE(t *testing.T) {
	forEachResponseMode(t, func(t *testing.T, mode pendingMode) {
		f := newFixture(t, gintest.Options{}, mode.tweak)
		victim := gintest.NewBrowser()
		f.p.SetUser(&gintest.User{ID: "u-victim", Login: "victim"})
		stolen := queryOf(t, startLoginIn(t, victim, f.app.URL+"/login/fake")).Get("code")

		f.p.SetUser(&gintest.User{ID: "u-mallory", Login: "mallory"})
		own := f.startLogin(t, "/me")
		q := queryOf(t, own)
		q.Set("code", stolen)
		f.p.ResetCalls()
		page, err := deliver(f.browser, withQuery(t, own, q), f.formPost)
		var pe *blueprint.ProviderError
		if err != nil || page.StatusCode != http.StatusBadGateway || !errors.As(f.lastErr(), &pe) || pe.Code != "invalid_grant" {
			t.Fatalf("injected code: %v %d %v", err, page.StatusCode, f.lastErr())
		}
		if f.p.Calls(gintest.EndpointToken) != 1 {
			t.Fatalf("token calls %d; want the one refused exchange", f.p.Calls(gintest.EndpointToken))
		}
		if got := f.get(t, "/").Body; got != "home authorized=false" {
			t.Fatalf("attacker logged in: %q", got)
		}
		if f.logins != 0 {
			t.Fatal("OnLogin ran for an injected code")
		}
	})
}

// PKCE downgrade (RFC 9700 §2.1.1): somebody strips code_challenge from
// the authorization request and the provider lets it through. The client
// still sends its code_verifier, which such a provider must refuse (gintest
// does), so the stripped login fails instead of silently going on without
// PKCE.
func TestAttackStrippedCodeChallengeNotSilentlyAccepted(t *testing.T) {
	forEachResponseMode(t, func(t *testing.T, mode pendingMode) {
		f := newFixture(t, gintest.Options{AllowMissingPKCE: true}, mode.tweak)
		nf := f.browser.NoFollow()
		start, err := nf.Get(f.app.URL + "/login/fake")
		if err != nil || start.StatusCode != http.StatusFound {
			t.Fatalf("login start: %v %+v", err, start)
		}
		authz := start.Header.Get("Location")
		q := queryOf(t, authz)
		if q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256" {
			t.Fatalf("login sent no S256 challenge: %s", authz)
		}
		q.Del("code_challenge")
		q.Del("code_challenge_method")
		back, err := nf.Get(withQuery(t, authz, q))
		if err != nil {
			t.Fatal(err)
		}
		cb := responseURL(t, back)
		if !queryOf(t, cb).Has("code") {
			t.Fatalf("provider did not issue a code without PKCE: %+v", back)
		}
		page, err := deliver(f.browser, cb, f.formPost)
		var pe *blueprint.ProviderError
		if err != nil || page.StatusCode != http.StatusBadGateway || !errors.As(f.lastErr(), &pe) || pe.Code != "invalid_grant" {
			t.Fatalf("stripped login: %v %d %v", err, page.StatusCode, f.lastErr())
		}
		if got := f.get(t, "/").Body; got != "home authorized=false" {
			t.Fatalf("logged in without PKCE: %q", got)
		}
	})
}

// Mix-up (RFC 9700 §4.4, RFC 9207 §2.4): with two providers mounted, an
// authorization response at a's callback that names b as its issuer is
// refused before any code is sent anywhere.
func TestAttackMixUpOtherIssuerRefused(t *testing.T) {
	forEachResponseMode(t, func(t *testing.T, mode pendingMode) {
		tb := newTwoBlueprints(t, false, mode.tweak)
		br := gintest.NewBrowser()
		cbA := startLoginIn(t, br, tb.app.URL+"/login/a")
		q := queryOf(t, cbA)
		if q.Get("iss") != tb.pa.URL() {
			t.Fatalf("provider a sent iss %q; want %q", q.Get("iss"), tb.pa.URL())
		}
		q.Set("iss", tb.pb.URL())
		tb.pa.ResetCalls()
		tb.pb.ResetCalls()
		page, err := deliver(br, withQuery(t, cbA, q), tb.formPost)
		if err != nil || page.StatusCode != http.StatusBadRequest || !errors.Is(tb.err("a"), blueprint.ErrIssuerMismatch) {
			t.Fatalf("foreign iss at a: %v %d %v", err, page.StatusCode, tb.err("a"))
		}
		if tb.tokenCalls() != 0 {
			t.Fatal("a code was sent to a token endpoint despite the foreign issuer")
		}
		// the state was used up: the genuine response cannot be replayed after
		if page, _ := deliver(br, cbA, tb.formPost); page.StatusCode != http.StatusBadRequest {
			t.Fatalf("the login survived a refused response: %d", page.StatusCode)
		}
	})
}

// Mix-up (RFC 9700 §4.4.1): a code issued by provider a is delivered to
// blueprint b's callback with b's own pending state, as an attacker who
// controls one side would. b refuses it by the iss that a stamped on its
// response, and neither token endpoint sees the code.
func TestAttackMixUpCodeOfADeliveredToB(t *testing.T) {
	forEachResponseMode(t, func(t *testing.T, mode pendingMode) {
		tb := newTwoBlueprints(t, false, mode.tweak)
		br := gintest.NewBrowser()
		fromA := queryOf(t, startLoginIn(t, br, tb.app.URL+"/login/a"))
		cbB := startLoginIn(t, br, tb.app.URL+"/login/b")
		q := queryOf(t, cbB)
		q.Set("code", fromA.Get("code"))
		q.Set("iss", fromA.Get("iss"))
		tb.pa.ResetCalls()
		tb.pb.ResetCalls()
		page, err := deliver(br, withQuery(t, cbB, q), tb.formPost)
		if err != nil || page.StatusCode != http.StatusBadRequest || !errors.Is(tb.err("b"), blueprint.ErrIssuerMismatch) {
			t.Fatalf("a's code at b: %v %d %v", err, page.StatusCode, tb.err("b"))
		}
		if tb.tokenCalls() != 0 {
			t.Fatalf("a's code reached a token endpoint (%d calls)", tb.tokenCalls())
		}
		if page, _ := br.Get(tb.app.URL + "/"); page.Body != "a=false b=false" {
			t.Fatalf("after the mix-up: %q", page.Body)
		}
	})
}

// RFC 9207 §2.4 with RequireIssuer (the provider advertises
// authorization_response_iss_parameter_supported): a response without iss
// is refused, so a mix-up attacker cannot simply strip it.
func TestAttackMixUpStrippedIssRefusedWhenRequired(t *testing.T) {
	forEachResponseMode(t, func(t *testing.T, mode pendingMode) {
		tb := newTwoBlueprints(t, false, mode.tweak, func(c *blueprint.OAuth2Config) { c.RequireIssuer = true })
		br := gintest.NewBrowser()
		cbA := startLoginIn(t, br, tb.app.URL+"/login/a")
		q := queryOf(t, cbA)
		q.Del("iss")
		tb.pa.ResetCalls()
		page, err := deliver(br, withQuery(t, cbA, q), tb.formPost)
		if err != nil || page.StatusCode != http.StatusBadRequest || !errors.Is(tb.err("a"), blueprint.ErrIssuerMismatch) {
			t.Fatalf("stripped iss: %v %d %v", err, page.StatusCode, tb.err("a"))
		}
		if tb.tokenCalls() != 0 {
			t.Fatal("a code was exchanged without iss")
		}
		// the honest flow with iss works under RequireIssuer
		if page, _ := br.Get(tb.app.URL + "/login/a"); page.Body != "a=true b=false" {
			t.Fatalf("honest login with RequireIssuer: %d %q", page.StatusCode, page.Body)
		}
	})
}

// A callback presented again with the cookies it first came with (a
// double-submitted callback, a retried request, or a replay of a captured
// request; RFC 9700 §4.7, RFC 6749 §10.12): the browser expired the
// pending-login cookie when the first callback answered, but a replay
// still carries it, with sealed cookies (the default) and with pending
// logins in a cookie session alike. The second callback is refused before
// the used code reaches the provider, which would revoke the tokens it
// issued for it (RFC 6749 §4.1.2), logging the user out again; and its
// answer sets no cookie that would replace the session the first callback
// stored the token in (the browser keeps whichever answer came last).
func TestAttackCallbackReplayedWithItsOwnCookies(t *testing.T) {
	for _, inSession := range []bool{false, true} {
		t.Run(map[bool]string{false: "sealed cookie", true: "cookie session"}[inSession], func(t *testing.T) {
			f := newFixture(t, gintest.Options{}, func(c *blueprint.OAuth2Config) {
				if inSession {
					withPendingInSession(c)
				}
			})
			cb := f.startLogin(t, "/")
			before := f.browser.Cookies(cb)
			if page, err := f.browser.Get(cb); err != nil || page.Body != "home authorized=true" {
				t.Fatalf("the genuine callback: %v %+v", err, page)
			}
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, cb, nil)
			for _, c := range before {
				req.AddCookie(c)
			}
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || !errors.Is(f.lastErr(), blueprint.ErrStateMismatch) {
				t.Fatalf("replayed callback: %d %v, want 400 ErrStateMismatch", resp.StatusCode, f.lastErr())
			}
			// the replay's answer is the last the browser sees
			f.browser.Client.Jar.SetCookies(resp.Request.URL, resp.Cookies())
			if n := f.p.Calls(gintest.EndpointToken); n != 1 {
				t.Fatalf("the token endpoint saw %d requests, want the genuine exchange only", n)
			}
			if page := f.get(t, "/api"); page.Body != "alice" {
				t.Fatalf("the user after the replay: %d %q", page.StatusCode, page.Body)
			}
		})
	}
}
