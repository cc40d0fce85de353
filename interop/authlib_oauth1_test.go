package interop

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// gindance against Authlib's OAuth 1.0a server (testdata/authlib_server.py
// on authlib.integrations.flask_oauth1): the only OAuth 1.0a server here
// that this project did not write. It verifies every HMAC-SHA1 signature,
// timestamp and nonce itself (RFC 5849 §3.2), and binds the verifier to
// the temporary credentials (§2.3).

func authlibOAuth1(srv *pyProcess) *blueprint.Blueprint {
	return blueprint.NewOAuth1("authlib1", blueprint.OAuth1Config{
		ConsumerKey: "gindance-consumer", ConsumerSecret: "gindance-consumer-secret",
		RequestTokenURL: srv.URL + "/oauth1/initiate",
		AuthorizeURL:    srv.URL + "/oauth1/authorize",
		AccessTokenURL:  srv.URL + "/oauth1/token",
		APIBaseURL:      srv.URL + "/oauth1/api/",
	})
}

// TestAuthlibOAuth1 walks RFC 5849's three legs (§2.1 temporary
// credentials with a confirmed callback, §2.2 authorization, §2.3 token
// credentials), then makes signed API calls: a GET with a query (§3.4.1.3.1)
// and a POST whose form body is part of the signature base string.
func TestAuthlibOAuth1(t *testing.T) {
	srv := startPython(t, authlibModules, "authlib_server.py")
	app := startApp(t, authlibOAuth1(srv))
	b := gintest.NewBrowser()

	page, err := b.Get(app.URL + "/login/authlib1")
	if err != nil {
		t.Fatal(err)
	}
	if page.URL.Path != "/oauth1/authorize" || page.URL.Query().Get("oauth_token") == "" {
		t.Fatalf("not sent to Authlib's authorization page with a request token: %v %d %.300q", page.URL, page.StatusCode, page.Body)
	}
	page = consent(t, b, page, "grace", true)
	if page.URL.String() != app.URL+"/" || page.Body != "authorized=true" {
		t.Fatalf("after consent: %v %d %q", page.URL, page.StatusCode, page.Body)
	}
	tok := app.token(t, b)
	if tok.AccessToken == "" || tok.TokenSecret == "" {
		t.Fatalf("stored token without token credentials: %+v", tok)
	}

	me := app.api(t, b, "me?include=profile&q=a%20b+c")
	if me["username"] != "grace" || me["id"] != "user-grace" {
		t.Fatalf("signed GET: %v", me)
	}
	if q, _ := me["query"].(map[string]any); q["include"] != "profile" || q["q"] != "a b c" {
		t.Fatalf("signed GET: the server saw the query %v", me["query"])
	}

	form := url.Values{"status": {"Hello Ladies + Gentlemen, a signed OAuth request!"}, "tags": {"a&b=c~d"}}
	page, err = b.PostForm(app.URL+"/api?path=echo", form)
	if err != nil || page.StatusCode != http.StatusOK {
		t.Fatalf("signed POST: %v %d %q", err, page.StatusCode, page.Body)
	}
	var echo struct {
		User string            `json:"user"`
		Form map[string]string `json:"form"`
	}
	decodeJSON(t, page.Body, &echo)
	if echo.User != "grace" || echo.Form["status"] != form.Get("status") || echo.Form["tags"] != form.Get("tags") {
		t.Fatalf("signed POST: the server saw %+v", echo)
	}
	if s := srv.stats(t); s.OAuth1AccessTokens != 1 || s.OAuth1APICalls != 2 {
		t.Fatalf("Authlib counted %+v, want 1 access token and 2 API calls", s)
	}
}

// TestAuthlibOAuth1Refusals: a verifier that is not the one Authlib issued
// is refused at the access token request (RFC 5849 §2.3), and the user
// pressing Deny ends the login; nothing is stored either way.
func TestAuthlibOAuth1Refusals(t *testing.T) {
	srv := startPython(t, authlibModules, "authlib_server.py")

	t.Run("wrong verifier", func(t *testing.T) {
		app := startApp(t, authlibOAuth1(srv))
		b := gintest.NewBrowser()
		page, err := b.Get(app.URL + "/login/authlib1")
		if err != nil {
			t.Fatal(err)
		}
		redirect, err := b.NoFollow().PostForm(page.URL.String(), url.Values{"username": {"grace"}, "confirm": {"yes"}})
		if err != nil || redirect.StatusCode != http.StatusFound {
			t.Fatalf("consent: %v %v", err, redirect)
		}
		callback, _ := url.Parse(redirect.Header.Get("Location"))
		q := callback.Query()
		if q.Get("oauth_verifier") == "" {
			t.Fatalf("callback without oauth_verifier: %v", callback)
		}
		q.Set("oauth_verifier", strings.Repeat("x", len(q.Get("oauth_verifier"))))
		callback.RawQuery = q.Encode()
		page, err = b.Get(callback.String())
		if err != nil {
			t.Fatal(err)
		}
		if page.StatusCode != http.StatusBadGateway {
			t.Fatalf("got %d %q, want 502", page.StatusCode, page.Body)
		}
		if pe := providerError(t, app.lastErr(t)); pe.Op != "exchange" {
			t.Fatalf("got %v, want the exchange refused", pe)
		}
		if app.authorized(t, b) || srv.stats(t).OAuth1AccessTokens != 0 {
			t.Fatal("a wrong verifier was exchanged")
		}
	})

	// RFC 5849 defines no denial. Authlib sends the user back with
	// error=access_denied and no oauth_token; gindance reports it as the
	// *AuthError of a denial (gintest's OAuth1Failure.DenyWithError).
	t.Run("denied", func(t *testing.T) {
		app := startApp(t, authlibOAuth1(srv))
		b := gintest.NewBrowser()
		page, err := b.Get(app.URL + "/login/authlib1")
		if err != nil {
			t.Fatal(err)
		}
		page = consent(t, b, page, "", false)
		if page.URL.Path != "/login/authlib1/authorized" || page.URL.Query().Get("error") != "access_denied" || page.URL.Query().Has("oauth_token") {
			t.Fatalf("Authlib's denial changed: %v", page.URL)
		}
		var ae *blueprint.AuthError
		if err := app.lastErr(t); page.StatusCode != http.StatusForbidden || !errors.As(err, &ae) || ae.Code != "access_denied" {
			t.Fatalf("got %d %v, want 403 *AuthError access_denied", page.StatusCode, err)
		}
		if app.authorized(t, b) {
			t.Fatal("logged in after Deny")
		}
	})
}
