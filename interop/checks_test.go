package interop

import (
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// The checks every Go-written OpenID Provider goes through: each one
// starts a relying party of its own, registers it at the server as a
// client and logs a fresh browser in.

// opServer is an OpenID Provider under test, as the checks see it.
type opServer struct {
	// client registers a client for the relying party's callback and
	// post-logout URLs and returns the issuer and the credentials.
	// secret is the client secret to register; empty: the server's or
	// the suite's default.
	client func(t *testing.T, redirectURI, postLogoutURI, secret string) (issuer, clientID, clientSecret string)
	// signIn takes the page the browser landed on after the relying
	// party sent it to the provider, does what a person does there, and
	// returns the page the browser ends on.
	signIn func(t *testing.T, b *gintest.Browser, page *gintest.Page) *gintest.Page
	// signOut, when the provider asks the person something at
	// end_session, does it and returns the page the browser ends on.
	signOut func(t *testing.T, b *gintest.Browser, page *gintest.Page) *gintest.Page
	scopes  []string
	// lifetime is the access tokens' lifetime, as the server sets it.
	lifetime time.Duration
	// codeReuseRevokes: the server revokes the tokens of a code that
	// was used twice (RFC 6749 §4.1.2, a SHOULD).
	codeReuseRevokes bool
	// user is what the relying party must learn about the signed-in user.
	user blueprint.Identity
}

// run runs every check against s, each as a subtest.
func (s *opServer) run(t *testing.T) {
	t.Run("LoginPKCEStateClaimsUserinfo", s.checkLogin)
	t.Run("RefreshRaceRotation", s.checkRefreshRace)
	t.Run("RevokedGrantRefused", s.checkRevokedGrant)
	t.Run("LogoutRevocationEndSession", s.checkLogout)
	t.Run("WrongClientSecret", s.checkWrongSecret)
	t.Run("SecretNeedingEncoding", s.checkSecretEncoding)
	t.Run("LoginCookieKey", s.checkLoginCookieKey)
	t.Run("PendingLoginsInSession", s.checkPendingLoginsInSession)
	t.Run("ReusedCode", s.checkReusedCode)
}

// start returns a relying party configured as a client of s, registered
// with secret (empty: the server's default). leeway zero keeps tokens
// fresh for the whole check.
func (s *opServer) start(t *testing.T, leeway time.Duration, secret string, tweak ...func(*rpConfig)) (*rp, discovered) {
	t.Helper()
	r := newRPServer(t)
	issuer, id, secret := s.client(t, r.callbackURL(), r.postLogoutURL(), secret)
	if leeway == 0 {
		leeway = time.Second
	}
	cfg := rpConfig{Issuer: issuer, ClientID: id, ClientSecret: secret, Scopes: s.scopes, RefreshLeeway: leeway}
	for _, fn := range tweak {
		fn(&cfg)
	}
	r.configure(t, cfg)
	return r, discover(t, issuer)
}

// login logs the relying party's browser in and checks that it ends on
// the app, logged in.
func (s *opServer) login(t *testing.T, r *rp) {
	t.Helper()
	page := s.signIn(t, r.browser, r.get(t, "/login/idp"))
	if page.StatusCode != http.StatusOK || page.Body != "authorized=true" {
		t.Fatalf("after signing in: %v %d %s (OnError saw %d errors)", page.URL, page.StatusCode, excerpt(page.Body), r.errCount())
	}
}

// checkLogin: authorization code with PKCE S256 and state (RFC 9700
// §2.1.1, RFC 7636), nonce and the id_token verified (OpenID Connect Core
// §3.1.3.7), the token stored, Claims and Identity from the real id_token
// and userinfo, and an API call through Client.
func (s *opServer) checkLogin(t *testing.T) {
	r, d := s.start(t, 0, "")
	start, err := r.browser.NoFollow().Get(r.URL + "/login/idp")
	if err != nil {
		t.Fatal(err)
	}
	loc, err := url.Parse(start.Header.Get("Location"))
	if err != nil || start.StatusCode != http.StatusFound {
		t.Fatalf("login start: %d %q", start.StatusCode, start.Header.Get("Location"))
	}
	q := loc.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || len(q.Get("state")) < 32 ||
		q.Get("nonce") == "" || q.Get("response_type") != "code" {
		t.Fatalf("authorization request %v: want response_type=code, PKCE S256, state and nonce", q)
	}
	at, err := r.browser.Get(loc.String())
	if err != nil {
		t.Fatal(err)
	}
	page := s.signIn(t, r.browser, at)
	if page.StatusCode != http.StatusOK || page.Body != "authorized=true" {
		t.Fatalf("after signing in: %v %d %s", page.URL, page.StatusCode, excerpt(page.Body))
	}
	if !slices.ContainsFunc(page.Hops, func(u *url.URL) bool {
		return u.Path == "/login/idp/authorized" && u.Query().Get("state") == q.Get("state") && u.Query().Get("code") != ""
	}) {
		t.Fatalf("the browser did not come back to the callback with the login's state and a code: %v", page.Hops)
	}

	tok := r.token(t)
	if tok.AccessToken == "" || tok.IDToken == "" || tok.RefreshToken == "" {
		t.Fatalf("stored token lacks an access, id or refresh token: access %v id %v refresh %v",
			tok.AccessToken != "", tok.IDToken != "", tok.RefreshToken != "")
	}
	if left := time.Until(tok.Expiry); left <= s.lifetime-time.Minute/2 || left > s.lifetime {
		t.Fatalf("stored token expires in %v, want about %v (the server's lifetime)", left, s.lifetime)
	}

	var m me
	r.getJSON(t, "/me", &m)
	if m.Claims["sub"] != s.user.ID || m.Claims["iss"] != d.Issuer || !audContains(m.Claims["aud"], r.cfg.ClientID) {
		t.Fatalf("claims %v: want sub %q, iss %q, aud with the client id", m.Claims, s.user.ID, d.Issuer)
	}
	id, want := m.Identity, s.user
	if id.ID != want.ID || id.Username != want.Username || id.Name != want.Name || id.Email != want.Email ||
		id.EmailVerified != want.EmailVerified || id.AvatarURL != want.AvatarURL {
		t.Fatalf("identity %+v, want %+v", id, want)
	}

	var info map[string]any
	r.getJSON(t, "/api/userinfo", &info)
	if info["sub"] != s.user.ID || info["email"] != s.user.Email {
		t.Fatalf("userinfo through Client: %v, want sub %q and email %q", info, s.user.ID, s.user.Email)
	}
	if n := r.refreshes.Load(); n != 0 {
		t.Fatalf("%d refreshes of a fresh token", n)
	}
}

// audContains reports whether the id_token's aud names the client.
func audContains(aud any, clientID string) bool {
	switch a := aud.(type) {
	case string:
		return a == clientID
	case []any:
		return slices.Contains(a, any(clientID))
	}
	return false
}

// checkRefreshRace: a token about to expire is refreshed once however
// many requests race for it, with the server's rotation (RFC 9700
// §4.14.2), and the new token is stored.
func (s *opServer) checkRefreshRace(t *testing.T) {
	const fresh = 8 * time.Second // how long a token stays out of the leeway
	r, d := s.start(t, s.lifetime-fresh, "")
	s.login(t, r)
	old := r.token(t)
	if n := r.refreshes.Load(); n != 0 {
		t.Fatalf("%d refreshes during login", n)
	}
	time.Sleep(time.Until(old.Expiry.Add(-(s.lifetime - fresh))) + 200*time.Millisecond)

	const racers = 16
	var wg sync.WaitGroup
	pages := make([]*gintest.Page, racers)
	errs := make([]error, racers)
	for i := range racers {
		wg.Go(func() { pages[i], errs[i] = r.browser.Get(r.URL + "/api/userinfo") })
	}
	wg.Wait()
	for i := range racers {
		if errs[i] != nil {
			t.Fatalf("racer %d: %v", i, errs[i])
		}
		if pages[i].StatusCode != http.StatusOK {
			t.Fatalf("racer %d: %d %s", i, pages[i].StatusCode, excerpt(pages[i].Body))
		}
	}
	if n := r.refreshes.Load(); n != 1 {
		t.Fatalf("%d racing requests made %d refresh calls, want 1", racers, n)
	}

	tok := r.token(t)
	if tok.AccessToken == old.AccessToken || tok.RefreshToken == "" || tok.RefreshToken == old.RefreshToken || !tok.Expiry.After(old.Expiry) {
		t.Fatalf("stored token after the refresh: new access %v, rotated refresh %v, later expiry %v",
			tok.AccessToken != old.AccessToken, tok.RefreshToken != old.RefreshToken, tok.Expiry.After(old.Expiry))
	}
	var info map[string]any
	r.getJSON(t, "/api/userinfo", &info)
	if info["sub"] != s.user.ID {
		t.Fatalf("userinfo after the refresh: %v", info)
	}
	if n := r.refreshes.Load(); n != 1 {
		t.Fatalf("the stored, refreshed token was refreshed again (%d calls)", n)
	}
	var m me
	r.getJSON(t, "/me", &m) // the refreshed id_token, if any, verified and kept
	if m.Claims["sub"] != s.user.ID {
		t.Fatalf("claims after the refresh: %v", m.Claims)
	}
	// The server rotated: the old refresh token is spent. (Checked last:
	// some servers answer a reused refresh token by revoking the grant.)
	if code := refreshGrant(t, d.Token, r.cfg.ClientID, r.cfg.ClientSecret, old.RefreshToken); code == "" {
		t.Fatal("the old refresh token still works after the rotation")
	}
}

// checkSecretEncoding: a client secret with characters that
// client_secret_basic must form-urlencode before Base64 (RFC 6749 §2.3.1:
// ':', '+', '%', '/', a space, non-ASCII) logs in and refreshes.
func (s *opServer) checkSecretEncoding(t *testing.T) {
	const secret = "s3cret:+/%20 &=ü-0123456789abcdef"
	r, d := s.start(t, 0, secret)
	if r.cfg.ClientSecret != secret {
		t.Fatalf("the client was registered with another secret")
	}
	s.login(t, r)
	tok := r.token(t)
	if code := refreshGrant(t, d.Token, r.cfg.ClientID, secret, tok.RefreshToken); code != "" {
		t.Fatalf("refresh with the encoded secret: %s", code)
	}
}

// checkLoginCookieKey: with the pending login's cookie sealed under a key
// given (Options.LoginCookieKey) rather than derived from the client
// secret, the login works as by default.
func (s *opServer) checkLoginCookieKey(t *testing.T) {
	s.checkLoginWith(t, func(c *rpConfig) { c.LoginCookieKey = []byte("interop-login-cookie-key-32bytes") })
}

// checkPendingLoginsInSession: with the pending login in the session (the
// default before sealed cookies), the login works as by default.
func (s *opServer) checkPendingLoginsInSession(t *testing.T) {
	s.checkLoginWith(t, func(c *rpConfig) { c.PendingLoginsInSession = true })
}

// checkLoginWith logs a browser in with a relying party changed by tweak
// and checks the claims it learnt.
func (s *opServer) checkLoginWith(t *testing.T, tweak func(*rpConfig)) {
	r, _ := s.start(t, 0, "", tweak)
	s.login(t, r)
	var m me
	r.getJSON(t, "/me", &m)
	if m.Claims["sub"] != s.user.ID {
		t.Fatalf("claims %v", m.Claims)
	}
}

// checkRevokedGrant: when the server has revoked the grant behind the
// app's back, the refresh that comes due is refused (RFC 6749 §5.2
// invalid_grant); Client forgets the token and answers ErrNotAuthorized,
// so the app can send the user to log in again.
func (s *opServer) checkRevokedGrant(t *testing.T) {
	const fresh = 8 * time.Second
	r, d := s.start(t, s.lifetime-fresh, "")
	s.login(t, r)
	tok := r.token(t)
	revokeDirectly(t, d.Revocation, r.cfg.ClientID, r.cfg.ClientSecret, tok.RefreshToken)
	time.Sleep(time.Until(tok.Expiry.Add(-(s.lifetime - fresh))) + 200*time.Millisecond)
	req, _ := http.NewRequest(http.MethodGet, r.URL+"/api/userinfo", nil)
	req.Header.Set("Accept", "application/json")
	page, err := r.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != http.StatusUnauthorized || r.refreshes.Load() != 1 {
		t.Fatalf("API call when the refresh of a revoked grant comes due: %d %s after %d refreshes, want 401 after 1",
			page.StatusCode, excerpt(page.Body), r.refreshes.Load())
	}
	if page := r.get(t, "/"); page.Body != "authorized=false" {
		t.Fatalf("the refused token is still kept: %s", page.Body)
	}
	// A person's browser is sent to log in again, and comes back.
	page = s.signIn(t, r.browser, r.get(t, "/api/userinfo"))
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, s.user.ID) || page.URL.Path != "/api/userinfo" {
		t.Fatalf("logging in again: %v %d %s", page.URL, page.StatusCode, excerpt(page.Body))
	}
}

// checkLogout: Logout revokes the token (RFC 7009) and RP-initiated
// logout (OpenID Connect RP-Initiated Logout 1.0 §2, §3) goes through the
// end_session_endpoint and comes back with the state it sent, which is
// single use.
func (s *opServer) checkLogout(t *testing.T) {
	r, d := s.start(t, 0, "")
	if d.Revocation == "" || d.EndSession == "" {
		t.Fatalf("the server advertises no revocation (%q) or end_session (%q) endpoint", d.Revocation, d.EndSession)
	}
	s.login(t, r)
	tok := r.token(t)
	if st := bearerGet(t, d.UserInfo, tok.AccessToken); st != http.StatusOK {
		t.Fatalf("userinfo with the fresh access token: %d", st)
	}
	page := s.logout(t, r)
	if page.StatusCode != http.StatusOK || page.Body != "logged out; authorized=false" {
		t.Fatalf("after logout: %v %d %s (errors: %d)", page.URL, page.StatusCode, excerpt(page.Body), r.errCount())
	}
	var ended bool
	var back *url.URL
	for _, u := range page.Hops {
		if !ended && strings.HasPrefix(u.String(), d.EndSession+"?") { // the relying party's request, not the server's own later hops
			ended = true
			if q := u.Query(); q.Get("id_token_hint") != tok.IDToken || q.Get("state") == "" || q.Get("post_logout_redirect_uri") != r.postLogoutURL() {
				t.Fatalf("end_session request without the id_token_hint, state or post_logout_redirect_uri: %v", q)
			}
		}
		if u.Path == "/logout/done" {
			back = u
		}
	}
	if !ended {
		t.Fatalf("logout did not go through end_session_endpoint %s: %v", d.EndSession, page.Hops)
	}
	if back == nil || back.Query().Get("state") == "" {
		t.Fatalf("the browser did not come back from end_session with a state: %v", page.Hops)
	}
	if code := refreshGrant(t, d.Token, r.cfg.ClientID, r.cfg.ClientSecret, tok.RefreshToken); code != "invalid_grant" {
		t.Fatalf("refresh with the revoked refresh token: %q, want invalid_grant", code)
	}
	// RFC 6750 §3.1 says 401 invalid_token; zitadel/oidc answers 403 (see
	// interop/README.md's table). Either is a refusal.
	if st := bearerGet(t, d.UserInfo, tok.AccessToken); st != http.StatusUnauthorized && st != http.StatusForbidden {
		t.Fatalf("userinfo with the access token of a revoked grant: %d, want 401 (or 403)", st)
	}
	replay := r.get(t, back.RequestURI())
	// LogoutCallbackHandler answers with DefaultErrorHandler, not OnError:
	// the status is what shows the refusal (ErrLogoutState is a 400).
	if replay.StatusCode != http.StatusBadRequest {
		t.Fatalf("replayed logout return: %d %s, want 400 (ErrLogoutState)", replay.StatusCode, excerpt(replay.Body))
	}
}

// logout runs the app's RP-initiated logout in the browser, doing what a
// person does at the provider if it asks anything.
func (s *opServer) logout(t *testing.T, r *rp) *gintest.Page {
	t.Helper()
	page := r.get(t, "/logout")
	if s.signOut != nil {
		first := page.Hops
		page = s.signOut(t, r.browser, page)
		page.Hops = append(first, page.Hops...) // the whole way, for the checks
	}
	return page
}

// checkWrongSecret: the server refuses the code exchange of a client with
// a wrong secret (RFC 6749 §5.2 invalid_client); the login ends in
// OnError with a *ProviderError and nothing is stored.
func (s *opServer) checkWrongSecret(t *testing.T) {
	r, _ := s.start(t, 0, "", func(c *rpConfig) { c.ClientSecret = "not-" + c.ClientSecret })
	exchangeRefused(t, r, s.signIn(t, r.browser, r.get(t, "/login/idp")), "invalid_client")
}

// exchangeRefused checks that the callback that ended on page failed at
// the token endpoint with the OAuth error code: a 502 from the default
// error handler, a *ProviderError in OnError, and no token stored.
func exchangeRefused(t *testing.T, r *rp, page *gintest.Page, code string) {
	t.Helper()
	if page.StatusCode != http.StatusBadGateway {
		t.Fatalf("callback: %d %s, want 502", page.StatusCode, excerpt(page.Body))
	}
	pe := asProviderError(t, r.lastErr(t))
	if pe.Op != "exchange" || pe.Code != code {
		t.Fatalf("error %v: want the exchange refused with %s", pe, code)
	}
	if page := r.get(t, "/"); page.Body != "authorized=false" {
		t.Fatalf("after the refused callback: %s", page.Body)
	}
}

// checkReusedCode: an authorization code is single use (RFC 6749
// §4.1.2). A callback replayed with the browser's old cookies, the
// pending-login cookie and the session's, is refused by the app that took
// the login (its memory of used logins) before the code goes anywhere, and
// the user's token stays good. Replayed to another replica of the app
// (docs/sessions.md's limitation of sealed login cookies and cookie sessions),
// it reaches the token endpoint a second time, and the server refuses it:
// the replay ends in OnError with invalid_grant and stores nothing.
func (s *opServer) checkReusedCode(t *testing.T) {
	r, d := s.start(t, 0, "")
	r.hold.Store(true)
	s.signIn(t, r.browser, r.get(t, "/login/idp"))
	r.hold.Store(false)
	cb := r.held.Load()
	if cb == nil || cb.Query().Get("code") == "" {
		t.Fatal("the browser was not sent back to the callback with a code")
	}
	app, _ := url.Parse(r.URL + "/")
	before := r.browser.Cookies(r.URL + cb.Path) // the pending-login cookie is scoped to the blueprint's path

	if page := r.get(t, cb.RequestURI()); page.Body != "authorized=true" {
		t.Fatalf("first callback: %d %s", page.StatusCode, excerpt(page.Body))
	}
	first := r.token(t)
	for _, c := range before {
		c.Path = "/"
	}
	// the browser's cookies as they were before the first callback, and
	// no others: by default the login start wrote no session cookie
	r.browser.Client.Jar, _ = cookiejar.New(nil)
	r.browser.Client.Jar.SetCookies(app, before)
	if page := r.get(t, cb.RequestURI()); page.StatusCode != http.StatusBadRequest || !errors.Is(r.lastErr(t), blueprint.ErrStateMismatch) {
		t.Fatalf("callback replayed to the app that took it: %d %v, want 400 ErrStateMismatch", page.StatusCode, r.lastErr(t))
	}
	if st := bearerGet(t, d.UserInfo, first.AccessToken); st != http.StatusOK {
		t.Fatalf("userinfo with the first exchange's access token after a replay the app refused: %d", st)
	}

	replica := newRPServer(t)
	replica.configure(t, r.cfg)
	replicaURL, _ := url.Parse(replica.URL + "/")
	replica.browser.Client.Jar.SetCookies(replicaURL, before)
	exchangeRefused(t, replica, replica.get(t, cb.RequestURI()), "invalid_grant")
	// RFC 6749 §4.1.2: the server SHOULD revoke the tokens already issued
	// for a code that is used twice. Whether it does is the server's
	// choice; the check pins what each one does, as interop/README.md says.
	st := bearerGet(t, d.UserInfo, first.AccessToken)
	if revoked := st != http.StatusOK; revoked != s.codeReuseRevokes {
		t.Fatalf("userinfo with the first exchange's access token after the code's reuse: %d; want revoked=%v", st, s.codeReuseRevokes)
	}
}
