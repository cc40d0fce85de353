package blueprint_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// The attacks of SECURITY.md's "OAuth 1.0a (RFC 5849)" section, against
// blueprint.NewOAuth1 and the fake OAuth 1.0a provider. Each asserts what
// the user observes: OnError's error, the status, no access token issued
// and nobody logged in.

func (f *oauth1Fixture) assertNotLoggedIn(t *testing.T, b *gintest.Browser) {
	t.Helper()
	page, err := b.Get(f.app.URL + "/")
	if err != nil || page.Body != "home authorized=false" {
		t.Fatalf("after the refused login: %v %q, want nothing stored", err, page.Body)
	}
}

// TestAttackOAuth1CallbackNotConfirmed: RFC 5849 §2.1, a request-token
// answer without oauth_callback_confirmed=true (a provider that ignored the
// callback, the OAuth 1.0 session-fixation flaw) ends the login before the
// browser is sent to the provider.
func TestAttackOAuth1CallbackNotConfirmed(t *testing.T) {
	f := newOAuth1Fixture(t)
	f.p.Fail(gintest.OAuth1Failure{NoCallbackConfirmed: true})
	page, err := f.browser.Get(f.app.URL + "/login/tw")
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != http.StatusBadGateway {
		t.Fatalf("got %d %q, want 502", page.StatusCode, page.Body)
	}
	provider, _ := url.Parse(f.p.URL())
	for _, h := range page.Hops {
		if h.Host == provider.Host {
			t.Fatalf("the browser was sent to the provider: %v", page.Hops)
		}
	}
	if err := f.lastErr(t); !errors.Is(err, blueprint.ErrCallbackNotConfirmed) {
		t.Fatalf("OnError got %v, want ErrCallbackNotConfirmed", err)
	}
	if n := f.p.AccessTokens(); n != 0 {
		t.Fatalf("%d access tokens issued", n)
	}
	f.assertNotLoggedIn(t, f.browser)
}

// TestOAuth1CallbackConfirmedIgnoresCase: RFC 5849 §2.1 asks for
// oauth_callback_confirmed=true; Authlib's server (the interop suite's
// OAuth 1.0a peer) sends "True", which confirms the callback as plainly and
// must log in. Any other value still ends the login before the browser
// leaves.
func TestOAuth1CallbackConfirmedIgnoresCase(t *testing.T) {
	for value, ok := range map[string]bool{"True": true, "TRUE": true, "false": false, "1": false, "yes": false} {
		t.Run(value, func(t *testing.T) {
			f := newOAuth1Fixture(t)
			f.p.Fail(gintest.OAuth1Failure{CallbackConfirmed: value})
			page, err := f.browser.Get(f.app.URL + "/login/tw?next=/me")
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				if page.StatusCode != http.StatusBadGateway || !errors.Is(f.lastErr(t), blueprint.ErrCallbackNotConfirmed) {
					t.Fatalf("oauth_callback_confirmed=%s: %d %q, want 502 ErrCallbackNotConfirmed", value, page.StatusCode, page.Body)
				}
				f.assertNotLoggedIn(t, f.browser)
				return
			}
			if page.StatusCode != http.StatusOK || page.Body != "ada secret=true extra=ada" {
				t.Fatalf("oauth_callback_confirmed=%s: %d %q, want logged in", value, page.StatusCode, page.Body)
			}
		})
	}
}

// TestAttackOAuth1MismatchedOrReplayedToken: RFC 5849 §2.2, the callback's
// oauth_token must be the request token this browser obtained (session
// fixation: an attacker's token in the victim's callback) and is single
// use: 400 ErrStateMismatch, no access-token request.
func TestAttackOAuth1MismatchedOrReplayedToken(t *testing.T) {
	f := newOAuth1Fixture(t)
	f.p.Fail(gintest.OAuth1Failure{WrongToken: true})
	page, err := f.browser.Get(f.app.URL + "/login/tw")
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != http.StatusBadRequest {
		t.Fatalf("mismatched oauth_token: got %d, want 400", page.StatusCode)
	}
	if err := f.lastErr(t); !errors.Is(err, blueprint.ErrStateMismatch) {
		t.Fatalf("OnError got %v, want ErrStateMismatch", err)
	}
	if n := f.p.AccessTokens(); n != 0 {
		t.Fatalf("mismatched oauth_token: %d access tokens issued", n)
	}
	f.assertNotLoggedIn(t, f.browser)

	// The genuine login, then its callback URL replayed in another
	// browser (the attacker's) and in the same one.
	f.p.Fail(gintest.OAuth1Failure{})
	page, err = f.browser.Get(f.app.URL + "/login/tw")
	if err != nil {
		t.Fatal(err)
	}
	var callback string
	for _, h := range page.Hops {
		if strings.HasSuffix(h.Path, "/login/tw/authorized") {
			callback = h.String()
		}
	}
	if callback == "" {
		t.Fatalf("no callback among %v", page.Hops)
	}
	attacker := gintest.NewBrowser()
	for name, b := range map[string]*gintest.Browser{"another browser": attacker, "the same browser": f.browser} {
		page, err := b.Get(callback)
		if err != nil || page.StatusCode != http.StatusBadRequest {
			t.Fatalf("callback replayed in %s: %v %d, want 400", name, err, page.StatusCode)
		}
		if err := f.lastErr(t); !errors.Is(err, blueprint.ErrStateMismatch) {
			t.Fatalf("replay in %s: OnError got %v, want ErrStateMismatch", name, err)
		}
	}
	if n := f.p.AccessTokens(); n != 1 {
		t.Fatalf("%d access tokens issued, want only the genuine one", n)
	}
	f.assertNotLoggedIn(t, attacker)
}

// TestAttackOAuth1Denied: the user denies at the provider (Twitter's
// ?denied=<request token>, or Authlib's ?error=access_denied with no
// token; RFC 5849 leaves denial to the server, §2.2): 403 *AuthError
// access_denied, nothing stored. A forged untied callback with another
// error, or with a description to show, echoes nothing: it is a callback
// that matches no login (400 ErrStateMismatch).
func TestAttackOAuth1Denied(t *testing.T) {
	for name, knob := range map[string]gintest.OAuth1Failure{
		"denied=<request token>, as Twitter":              {Deny: true},
		"error=access_denied without a token, as Authlib": {DenyWithError: true},
	} {
		t.Run(name, func(t *testing.T) {
			f := newOAuth1Fixture(t)
			f.p.Fail(knob)
			page, err := f.browser.Get(f.app.URL + "/login/tw")
			if err != nil {
				t.Fatal(err)
			}
			if page.StatusCode != http.StatusForbidden {
				t.Fatalf("got %d, want 403", page.StatusCode)
			}
			var ae *blueprint.AuthError
			if err := f.lastErr(t); !errors.As(err, &ae) || ae.Code != "access_denied" {
				t.Fatalf("OnError got %v, want *AuthError access_denied", err)
			}
			if n := f.p.AccessTokens(); n != 0 {
				t.Fatalf("%d access tokens issued", n)
			}
			f.assertNotLoggedIn(t, f.browser)
		})
	}

	f := newOAuth1Fixture(t)
	for _, q := range []string{"error=server_error&error_description=Call+us+now", "error=access_denied&error_description=Call+us+now"} {
		page, err := f.browser.Get(f.app.URL + "/login/tw/authorized?" + q)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(page.Body, "Call us") {
			t.Fatalf("?%s: the page echoes the forged description: %q", q, page.Body)
		}
		if strings.HasPrefix(q, "error=server_error") && (page.StatusCode != http.StatusBadRequest || !errors.Is(f.lastErr(t), blueprint.ErrStateMismatch)) {
			t.Fatalf("?%s: got %d %v, want 400 ErrStateMismatch", q, page.StatusCode, f.lastErr(t))
		}
	}
}
