package interop

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// gindance against Authlib's OAuth 2.0 authorization server
// (testdata/authlib_server.py on authlib.integrations.flask_oauth2).

var authlibModules = []string{"authlib", "flask"}

const (
	authlibClientID     = "gindance-client"
	authlibClientSecret = "gindance-client-secret"
)

// authlibStats is the server's GET /stats.
type authlibStats struct {
	AuthorizationCode  int `json:"authorization_code"`
	RefreshToken       int `json:"refresh_token"`
	Revoked            int `json:"revoked"`
	OAuth1AccessTokens int `json:"oauth1_access_tokens"`
	OAuth1APICalls     int `json:"oauth1_api_calls"`
}

func (p *pyProcess) stats(t *testing.T) authlibStats {
	t.Helper()
	var s authlibStats
	getJSON(t, http.DefaultClient, p.URL+"/stats", &s)
	return s
}

// authlibOAuth2 returns a blueprint for the Authlib server's OAuth 2.0 side.
func authlibOAuth2(srv *pyProcess, tweak func(*blueprint.OAuth2Config)) *blueprint.Blueprint {
	cfg := blueprint.OAuth2Config{
		ClientID: authlibClientID, ClientSecret: authlibClientSecret,
		AuthURL:       srv.URL + "/oauth2/authorize",
		TokenURL:      srv.URL + "/oauth2/token",
		RevocationURL: srv.URL + "/oauth2/revoke",
		APIBaseURL:    srv.URL + "/oauth2/api/",
		Scopes:        []string{"profile", "email"},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	return blueprint.NewOAuth2("authlib", cfg)
}

// TestAuthlibOAuth2 logs in against Authlib with the authorization code
// flow, PKCE S256 and state (RFC 6749 §4.1, RFC 7636, RFC 9700 §2.1.1),
// calls the API, refreshes once for many racing requests against Authlib's
// rotation (RFC 9700 §4.14.2), and revokes at Logout (RFC 7009).
func TestAuthlibOAuth2(t *testing.T) {
	const lifetime, leeway = 6 * time.Second, 3 * time.Second
	srv := startPython(t, authlibModules, "authlib_server.py", "--token-lifetime", "6")
	bp := authlibOAuth2(srv, func(cfg *blueprint.OAuth2Config) { cfg.RefreshLeeway = leeway })
	app := startApp(t, bp)
	browser := gintest.NewBrowser()

	page, err := browser.Get(app.URL + "/login/authlib")
	if err != nil {
		t.Fatal(err)
	}
	q := page.URL.Query()
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || len(q.Get("state")) < 32 {
		t.Fatalf("authorization request without PKCE S256 and state: %v", page.URL)
	}
	page = consent(t, browser, page, "ada", true)
	if page.URL.String() != app.URL+"/" || page.Body != "authorized=true" {
		t.Fatalf("after consent: %v %d %q", page.URL, page.StatusCode, page.Body)
	}
	if s := srv.stats(t); s.AuthorizationCode != 1 {
		t.Fatalf("%d authorization_code grants, want 1", s.AuthorizationCode)
	}
	first := app.token(t, browser)
	if first.AccessToken == "" || first.RefreshToken == "" || first.TokenType != "Bearer" {
		t.Fatalf("stored token: %+v", first)
	}
	if d := time.Until(first.Expiry); d <= 0 || d > lifetime {
		t.Fatalf("stored token expires in %v, want within (0, %v]", d, lifetime)
	}
	if got := strings.Join(first.Scopes, " "); got != "profile email" {
		t.Fatalf("granted scopes %q", got)
	}
	me := app.api(t, browser, "me")
	if me["username"] != "ada" || me["id"] != "user-ada" {
		t.Fatalf("GET me through Client: %v", me)
	}

	// Refresh: wait until the token is within the leeway, then race.
	time.Sleep(time.Until(first.Expiry.Add(-leeway)) + 200*time.Millisecond)
	const racers = 12
	var wg sync.WaitGroup
	errs := make(chan error, racers)
	for range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := browser.Client.Get(app.URL + "/api?path=me")
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errs <- errors.New(resp.Status)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("racing API call: %v", err)
	}
	if s := srv.stats(t); s.RefreshToken != 1 {
		t.Fatalf("%d refresh grants for %d racing requests, want 1", s.RefreshToken, racers)
	}
	second := app.token(t, browser)
	if second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken || second.RefreshToken == "" {
		t.Fatalf("the refreshed token was not persisted with Authlib's rotated refresh token")
	}
	if s := srv.stats(t); s.RefreshToken != 1 {
		t.Fatalf("the persisted token was refreshed again: %d refresh grants", s.RefreshToken)
	}
	// Authlib revoked the rotated-out refresh token.
	if code := refreshDirectly(t, srv, first.RefreshToken); code != "invalid_grant" {
		t.Fatalf("the old refresh token after rotation: %q, want invalid_grant", code)
	}

	// Logout revokes (RFC 7009): the access token no longer works.
	page, err = browser.Get(app.URL + "/logout")
	if err != nil || page.StatusCode != http.StatusOK {
		t.Fatalf("logout: %v %d %q", err, page.StatusCode, page.Body)
	}
	if s := srv.stats(t); s.Revoked < 1 {
		t.Fatalf("Logout revoked nothing at Authlib")
	}
	if status := bearerStatus(t, srv.URL+"/oauth2/api/me", second.AccessToken); status != http.StatusUnauthorized {
		t.Fatalf("the access token after Logout: %d, want 401", status)
	}
	if app.authorized(t, browser) {
		t.Fatal("still logged in after Logout")
	}
}

// refreshDirectly presents a refresh token to the Authlib token endpoint
// and returns the error code ("" for success).
func refreshDirectly(t *testing.T, srv *pyProcess, refresh string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/oauth2/token", strings.NewReader(url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {refresh}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(authlibClientID, authlibClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	raw, _ := io.ReadAll(resp.Body)
	decodeJSON(t, string(raw), &body)
	return body.Error
}

func bearerStatus(t *testing.T, u, access string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestAuthlibOAuth2Refusals: what Authlib refuses ends the login in
// OnError with the provider's error, and nothing is stored.
func TestAuthlibOAuth2Refusals(t *testing.T) {
	srv := startPython(t, authlibModules, "authlib_server.py")

	// RFC 6749 §5.2: a wrong client secret is invalid_client at the
	// token endpoint.
	t.Run("wrong client secret", func(t *testing.T) {
		app := startApp(t, authlibOAuth2(srv, func(cfg *blueprint.OAuth2Config) { cfg.ClientSecret = "not-the-client-secret" }))
		b := gintest.NewBrowser()
		page, err := b.Get(app.URL + "/login/authlib")
		if err != nil {
			t.Fatal(err)
		}
		page = consent(t, b, page, "ada", true)
		if page.StatusCode != http.StatusBadGateway {
			t.Fatalf("got %d %q, want 502", page.StatusCode, page.Body)
		}
		pe := providerError(t, app.lastErr(t))
		if pe.Op != "exchange" || pe.Code != "invalid_client" || pe.StatusCode != http.StatusUnauthorized {
			t.Fatalf("got %v, want exchange invalid_client (401)", pe)
		}
		if app.authorized(t, b) {
			t.Fatal("logged in with a wrong client secret")
		}
	})

	// RFC 6749 §4.1.2.1: the user pressed Deny.
	t.Run("denied consent", func(t *testing.T) {
		app := startApp(t, authlibOAuth2(srv, nil))
		b := gintest.NewBrowser()
		page, err := b.Get(app.URL + "/login/authlib")
		if err != nil {
			t.Fatal(err)
		}
		page = consent(t, b, page, "", false)
		if page.StatusCode != http.StatusForbidden && page.StatusCode != http.StatusUnauthorized {
			t.Fatalf("got %d %q, want 401 or 403", page.StatusCode, page.Body)
		}
		var ae *blueprint.AuthError
		if err := app.lastErr(t); !errors.As(err, &ae) || ae.Code != "access_denied" {
			t.Fatalf("got %v, want an *AuthError access_denied", err)
		}
		if app.authorized(t, b) {
			t.Fatal("logged in after Deny")
		}
	})

	// RFC 6749 §4.1.2: a code is single use. The victim logged in with
	// it; an attacker injects it into a login of their own (code
	// injection), which gindance exchanges with that login's verifier.
	t.Run("reused code", func(t *testing.T) {
		app := startApp(t, authlibOAuth2(srv, nil))
		victim := gintest.NewBrowser()
		page, err := victim.Get(app.URL + "/login/authlib")
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"username": {"victim"}, "confirm": {"yes"}}
		redirect, err := victim.NoFollow().PostForm(page.URL.String(), form)
		if err != nil || redirect.StatusCode != http.StatusFound {
			t.Fatalf("consent: %v %v", err, redirect)
		}
		callback, err := url.Parse(redirect.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := victim.Get(callback.String()); err != nil || !app.authorized(t, victim) {
			t.Fatalf("the victim's login failed: %v", err)
		}

		attacker := gintest.NewBrowser()
		page, err = attacker.Get(app.URL + "/login/authlib")
		if err != nil {
			t.Fatal(err)
		}
		injected := *callback
		q := injected.Query()
		q.Set("state", page.URL.Query().Get("state")) // the attacker's own login
		injected.RawQuery = q.Encode()
		page, err = attacker.Get(injected.String())
		if err != nil {
			t.Fatal(err)
		}
		if page.StatusCode != http.StatusBadGateway && page.StatusCode != http.StatusBadRequest {
			t.Fatalf("got %d %q, want the exchange refused", page.StatusCode, page.Body)
		}
		pe := providerError(t, app.lastErr(t))
		if pe.Op != "exchange" || pe.Code != "invalid_grant" {
			t.Fatalf("got %v, want exchange invalid_grant", pe)
		}
		if app.authorized(t, attacker) {
			t.Fatal("the attacker is logged in with the victim's code")
		}
	})
}
