package gintest

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

var bg = context.Background()

// RFC 7636 §4.6: a verifier that does not hash to the challenge fails.
func TestPKCEWrongVerifier_RFC7636_4_6(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	code := getCode(t, conf, oauth2.GenerateVerifier())
	_, err := conf.Exchange(bg, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
	wantErrorCode(t, err, "invalid_grant")
}

// RFC 7636 §4.6: a code bound to a challenge needs a verifier.
func TestPKCEMissingVerifier_RFC7636_4_6(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	code := getCode(t, conf, oauth2.GenerateVerifier())
	_, err := conf.Exchange(bg, code)
	wantErrorCode(t, err, "invalid_grant")
}

// A failed PKCE check consumes the code: the right verifier afterwards
// does not help an attacker who guessed first.
func TestPKCEFailureConsumesCode(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	v := oauth2.GenerateVerifier()
	code := getCode(t, conf, v)
	_, err := conf.Exchange(bg, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
	wantErrorCode(t, err, "invalid_grant")
	_, err = conf.Exchange(bg, code, oauth2.VerifierOption(v))
	wantErrorCode(t, err, "invalid_grant")
}

// RFC 9700 §2.1.1: a code_verifier for a code issued without a challenge
// is refused; with AllowMissingPKCE the flow works without PKCE.
func TestVerifierWithoutChallenge_RFC9700_2_1_1(t *testing.T) {
	p := start(t, Options{User: ada(), AllowMissingPKCE: true})
	conf := config(p)
	loc := authorizeRedirect(t, conf.AuthCodeURL("s"))
	if _, err := conf.Exchange(bg, loc.Query().Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier())); errorCode(err) != "invalid_grant" {
		t.Errorf("verifier without challenge: %v, want invalid_grant", err)
	}
	loc = authorizeRedirect(t, conf.AuthCodeURL("s"))
	if _, err := conf.Exchange(bg, loc.Query().Get("code")); err != nil {
		t.Errorf("AllowMissingPKCE flow without PKCE: %v", err)
	}
}

// RFC 7636 §4.2 plain method, accepted only with AllowMissingPKCE.
func TestPlainPKCE_RFC7636_4_2(t *testing.T) {
	p := start(t, Options{User: ada(), AllowMissingPKCE: true})
	conf := config(p)
	v := oauth2.GenerateVerifier()
	loc := authorizeRedirect(t, conf.AuthCodeURL("s", oauth2.SetAuthURLParam("code_challenge", v), oauth2.SetAuthURLParam("code_challenge_method", "plain")))
	if _, err := conf.Exchange(bg, loc.Query().Get("code"), oauth2.VerifierOption(v)); err != nil {
		t.Fatalf("plain PKCE: %v", err)
	}
}

// RFC 6749 §4.1.2 and RFC 9700 §4.2.4: a code is single use, and a second
// use revokes the tokens issued for it.
func TestCodeReplayRevokesTokens_RFC6749_4_1_2(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	v := oauth2.GenerateVerifier()
	code := getCode(t, conf, v)
	tok, err := conf.Exchange(bg, code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	if status, _, _ := me(t, p, tok.AccessToken); status != 200 {
		t.Fatalf("token unusable before replay: %d", status)
	}
	_, err = conf.Exchange(bg, code, oauth2.VerifierOption(v))
	wantErrorCode(t, err, "invalid_grant")
	if status, _, _ := me(t, p, tok.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("access token after code replay: status %d, want 401", status)
	}
	if !p.Revoked(tok.AccessToken) || !p.Revoked(tok.RefreshToken) {
		t.Error("Revoked() false for tokens of a replayed code")
	}
	_, err = conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	wantErrorCode(t, err, "invalid_grant")
}

// RFC 6749 §4.1.3: redirect_uri must be identical to the one at /authorize.
func TestRedirectURIMismatch_RFC6749_4_1_3(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	v := oauth2.GenerateVerifier()
	code := getCode(t, conf, v)
	other := *conf
	other.RedirectURL = "http://127.0.0.1:9/other"
	_, err := other.Exchange(bg, code, oauth2.VerifierOption(v))
	wantErrorCode(t, err, "invalid_grant")
}

func TestCodeExpires(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	p := start(t, Options{User: ada(), Now: clock})
	conf := config(p)
	v := oauth2.GenerateVerifier()
	code := getCode(t, conf, v)
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	_, err := conf.Exchange(bg, code, oauth2.VerifierOption(v))
	wantErrorCode(t, err, "invalid_grant")
}

func TestAccessTokenExpires(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	p := start(t, Options{User: ada(), Now: clock, TokenLifetime: time.Minute})
	tok := login(t, config(p))
	if tok.Extra("expires_in") != float64(60) {
		t.Errorf("expires_in %v, want 60", tok.Extra("expires_in"))
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if status, _, _ := me(t, p, tok.AccessToken); status != http.StatusUnauthorized {
		t.Fatalf("expired token: status %d, want 401", status)
	}
	if p.Revoked(tok.AccessToken) {
		t.Error("an expired token is not revoked")
	}
}

// RFC 6749 §2.3.1: client_secret_basic and client_secret_post both work;
// a wrong secret is invalid_client with 401.
func TestClientAuthMethods_RFC6749_2_3_1(t *testing.T) {
	p := start(t, Options{User: ada()})
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		conf := config(p)
		conf.Endpoint.AuthStyle = style
		login(t, conf)

		bad := config(p)
		bad.Endpoint.AuthStyle = style
		bad.ClientSecret = "wrong"
		v := oauth2.GenerateVerifier()
		_, err := bad.Exchange(bg, getCode(t, bad, v), oauth2.VerifierOption(v))
		wantErrorCode(t, err, "invalid_client")
		var re *oauth2.RetrieveError
		if errorAs(err, &re) && re.Response.StatusCode != http.StatusUnauthorized {
			t.Errorf("invalid_client status %d, want 401", re.Response.StatusCode)
		}
	}
}

// RFC 6749 §2.3: a client must not use two authentication methods at once.
func TestTwoAuthMethodsRefused(t *testing.T) {
	p := start(t, Options{})
	status, body := postForm(t, p.TokenURL(), url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}, true)
	if status != 400 || body["error"] != "invalid_request" {
		t.Fatalf("got %d %v, want 400 invalid_request", status, body)
	}
}

func TestPublicClient(t *testing.T) {
	p := start(t, Options{User: ada(), Clients: []Client{{ID: "spa", RedirectURIs: []string{"http://localhost:3000/cb"}}}})
	conf := &oauth2.Config{ClientID: "spa", Endpoint: oauth2.Endpoint{AuthURL: p.AuthURL(), TokenURL: p.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}, RedirectURL: "http://localhost:3000/cb"}
	login(t, conf)
	cc := &clientcredentials.Config{ClientID: "spa", TokenURL: p.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}
	_, err := cc.Token(bg)
	wantErrorCode(t, err, "unauthorized_client")
}

func TestUnsupportedGrantType_RFC6749_5_2(t *testing.T) {
	p := start(t, Options{})
	status, body := postForm(t, p.TokenURL(), url.Values{"grant_type": {"password"}, "username": {"a"}, "password": {"b"}}, true)
	if status != 400 || body["error"] != "unsupported_grant_type" || body["error_description"] == "" {
		t.Fatalf("got %d %v, want 400 unsupported_grant_type with a description", status, body)
	}
}

// RFC 6749 §6: without rotation the refresh token stays the same and
// keeps working.
func TestRefreshWithoutRotation_RFC6749_6(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	tok := login(t, conf)
	for range 3 {
		next, err := conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatal(err)
		}
		if next.RefreshToken != tok.RefreshToken {
			t.Fatal("refresh token changed without rotation")
		}
		if next.AccessToken == tok.AccessToken {
			t.Fatal("refresh returned the same access token")
		}
		if _, u, _ := me(t, p, next.AccessToken); u.Login != "ada" {
			t.Fatalf("refreshed token: /api/me = %+v", u)
		}
	}
}

// RFC 9700 §4.14.2: with rotation each refresh returns a new refresh
// token and the old one stops working.
func TestRefreshRotation_RFC9700_4_14_2(t *testing.T) {
	p := start(t, Options{User: ada(), RotateRefreshTokens: true})
	conf := config(p)
	tok := login(t, conf)
	next, err := conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	if next.RefreshToken == tok.RefreshToken || next.RefreshToken == "" {
		t.Fatal("rotation did not return a new refresh token")
	}
	_, err = conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	wantErrorCode(t, err, "invalid_grant")
	// Without reuse detection the new token still works.
	if _, err := conf.TokenSource(bg, &oauth2.Token{RefreshToken: next.RefreshToken}).Token(); err != nil {
		t.Fatalf("rotated token after an old one was replayed: %v", err)
	}
}

// RFC 9700 §4.14.2: presenting a rotated-out refresh token revokes the
// whole family, including the newest refresh and access tokens.
func TestRefreshReuseRevokesFamily_RFC9700_4_14_2(t *testing.T) {
	p := start(t, Options{User: ada(), RotateRefreshTokens: true, DetectRefreshReuse: true})
	conf := config(p)
	tok := login(t, conf)
	next, err := conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	_, err = conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	wantErrorCode(t, err, "invalid_grant")
	_, err = conf.TokenSource(bg, &oauth2.Token{RefreshToken: next.RefreshToken}).Token()
	wantErrorCode(t, err, "invalid_grant")
	if status, _, _ := me(t, p, next.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("access token of a revoked family: %d, want 401", status)
	}
	for _, s := range []string{tok.AccessToken, tok.RefreshToken, next.AccessToken, next.RefreshToken} {
		if !p.Revoked(s) {
			t.Errorf("Revoked(%.8s…) false after reuse detection", s)
		}
	}
	// Another login is a different family and unaffected.
	other := login(t, conf)
	if status, _, _ := me(t, p, other.AccessToken); status != 200 {
		t.Errorf("unrelated family: %d, want 200", status)
	}
}

// RFC 6749 §6: a refresh may narrow the scope but not widen it.
func TestRefreshScope_RFC6749_6(t *testing.T) {
	p := start(t, Options{User: ada()})
	tok := login(t, config(p))
	status, body := postForm(t, p.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "scope": {"read:user"}}, true)
	if status != 200 || body["scope"] != "read:user" {
		t.Errorf("narrowed refresh: %d %v", status, body)
	}
	status, body = postForm(t, p.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "scope": {"admin"}}, true)
	if status != 400 || body["error"] != "invalid_scope" {
		t.Errorf("widened refresh: %d %v, want invalid_scope", status, body)
	}
}

func TestRefreshByOtherClient(t *testing.T) {
	p := start(t, Options{User: ada(), Clients: []Client{{ID: "a", Secret: "sa"}, {ID: "b", Secret: "sb"}}})
	conf := config(p)
	conf.ClientID, conf.ClientSecret = "a", "sa"
	tok := login(t, conf)
	conf.ClientID, conf.ClientSecret = "b", "sb"
	_, err := conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	wantErrorCode(t, err, "invalid_grant")
}

// RFC 6749 §4.4: client_credentials gives an access token and no refresh
// token; it has no user, so /api/me answers 403.
func TestClientCredentials_RFC6749_4_4(t *testing.T) {
	p := start(t, Options{Scopes: []string{"svc"}})
	cc := &clientcredentials.Config{ClientID: DefaultClientID, ClientSecret: DefaultClientSecret, TokenURL: p.TokenURL()}
	tok, err := cc.Token(bg)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken != "" {
		t.Errorf("client_credentials token %+v: want access token only", tok)
	}
	if s, _ := tok.Extra("scope").(string); s != "svc" {
		t.Errorf("scope %q, want default svc", s)
	}
	if status, _, _ := me(t, p, tok.AccessToken); status != http.StatusForbidden {
		t.Errorf("/api/me with a client token: %d, want 403", status)
	}
	cc.ClientSecret = "wrong"
	_, err = cc.Token(bg)
	wantErrorCode(t, err, "invalid_client")
}

// RFC 6749 §5.1: token responses must not be cached.
func TestTokenResponseNoStore_RFC6749_5_1(t *testing.T) {
	p := start(t, Options{})
	req, _ := http.NewRequest(http.MethodPost, p.TokenURL(), stringsReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Cache-Control") != "no-store" || resp.StatusCode != 200 {
		t.Fatalf("status %d Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

// Tests fire many refreshes at once; run with -race.
func TestConcurrentRefreshes(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	tok := login(t, conf)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	seen := sync.Map{}
	for range 100 {
		wg.Go(func() {
			next, err := conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			if err != nil {
				errs <- err
				return
			}
			if _, dup := seen.LoadOrStore(next.AccessToken, true); dup {
				errs <- errDup
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := p.Calls(EndpointRefresh); n != 100 {
		t.Errorf("Calls(EndpointRefresh) = %d, want 100", n)
	}
}

// With rotation, of 100 concurrent refreshes of one token exactly one wins.
func TestConcurrentRotatedRefreshes(t *testing.T) {
	p := start(t, Options{User: ada(), RotateRefreshTokens: true})
	conf := config(p)
	tok := login(t, conf)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, invalid := 0, 0
	for range 100 {
		wg.Go(func() {
			_, err := conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errorCode(err) == "invalid_grant":
				invalid++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok != 1 || invalid != 99 {
		t.Fatalf("%d succeeded and %d got invalid_grant, want 1 and 99", ok, invalid)
	}
}

// RFC 6749 §3.2: request parameters must not be repeated.
func TestRepeatedParameter_RFC6749_3_2(t *testing.T) {
	p := start(t, Options{})
	status, body := postForm(t, p.TokenURL(), url.Values{"grant_type": {"client_credentials", "client_credentials"}}, true)
	if status != 400 || body["error"] != "invalid_request" {
		t.Fatalf("got %d %v, want 400 invalid_request", status, body)
	}
}
