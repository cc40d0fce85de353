package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/gindance/gindance/gintest"
)

// startTest starts the provider on a free loopback port with the given
// flags and stops it when the test ends.
func startTest(t *testing.T, args ...string) *server {
	t.Helper()
	cfg, err := parseFlags(append([]string{"-addr", "127.0.0.1:0"}, args...), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s, err := start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return s
}

// me calls /api/me with access and returns the status and the login.
func me(t *testing.T, s *server, access string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Login string }
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Login
}

func retrieveErrorCode(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

// The whole dance a developer would do against the running provider with
// golang.org/x/oauth2: sign in through the form with PKCE, call the API,
// refresh (rotating), client_credentials, and revocation.
func TestWholeDanceWithXOAuth2(t *testing.T) {
	const redirect = "http://localhost:8080/callback"
	s := startTest(t, "-client-id", "my-app", "-client-secret", "s3cret", "-redirect-uri", redirect, "-rotate")
	ctx := context.Background()
	conf := &oauth2.Config{
		ClientID:     "my-app",
		ClientSecret: "s3cret",
		Endpoint:     oauth2.Endpoint{AuthURL: s.URL + "/authorize", TokenURL: s.URL + "/token", AuthStyle: oauth2.AuthStyleInHeader},
		RedirectURL:  redirect,
		Scopes:       []string{"profile"},
	}

	// Authorization code with PKCE, through the sign-in form.
	verifier := oauth2.GenerateVerifier()
	browser := gintest.NewBrowser()
	form, err := browser.Get(conf.AuthCodeURL("st-1", oauth2.S256ChallengeOption(verifier)))
	if err != nil || form.StatusCode != http.StatusOK || !strings.Contains(form.Body, "my-app") {
		t.Fatalf("sign-in form: %v %+v", err, form)
	}
	back, err := browser.NoFollow().SignIn(form, "ada")
	if err != nil || back.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %v %+v", err, back)
	}
	cb, _ := url.Parse(back.Header.Get("Location"))
	if got := cb.Scheme + "://" + cb.Host + cb.Path; got != redirect || cb.Query().Get("state") != "st-1" || cb.Query().Get("iss") != s.URL {
		t.Fatalf("callback %s", cb)
	}
	if _, err := conf.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier())); retrieveErrorCode(err) != "invalid_grant" {
		t.Fatalf("exchange with the wrong verifier: %v", err)
	}

	// A fresh login: the failed exchange above consumed that code.
	form, _ = browser.Get(conf.AuthCodeURL("st-2", oauth2.S256ChallengeOption(verifier)))
	back, err = browser.NoFollow().SignIn(form, "ada")
	if err != nil {
		t.Fatal(err)
	}
	cb, _ = url.Parse(back.Header.Get("Location"))
	tok, err := conf.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil || tok.AccessToken == "" || tok.RefreshToken == "" || tok.Extra("scope") != "profile" {
		t.Fatalf("exchange: %v %+v", err, tok)
	}
	if st, login := me(t, s, tok.AccessToken); st != http.StatusOK || login != "ada" {
		t.Fatalf("/api/me: %d %q", st, login)
	}

	// Refresh: -rotate hands out a new refresh token, and the old one is
	// then refused.
	expired := *tok
	expired.Expiry = time.Now().Add(-time.Minute)
	fresh, err := conf.TokenSource(ctx, &expired).Token()
	if err != nil || fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken || fresh.RefreshToken == "" {
		t.Fatalf("refresh: %v %+v", err, fresh)
	}
	if st, login := me(t, s, fresh.AccessToken); st != http.StatusOK || login != "ada" {
		t.Fatalf("/api/me after refresh: %d %q", st, login)
	}

	// client_credentials: a token with no user behind it.
	cc := &clientcredentials.Config{ClientID: "my-app", ClientSecret: "s3cret", TokenURL: s.URL + "/token", AuthStyle: oauth2.AuthStyleInHeader}
	app, err := cc.Token(ctx)
	if err != nil || app.AccessToken == "" || app.RefreshToken != "" {
		t.Fatalf("client_credentials: %v %+v", err, app)
	}
	if st, _ := me(t, s, app.AccessToken); st != http.StatusForbidden {
		t.Fatalf("/api/me with a client token: %d, want 403", st)
	}

	// Revocation of the refresh token ends the whole login.
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/revoke", strings.NewReader(url.Values{"token": {fresh.RefreshToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("my-app", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %v %v", err, resp)
	}
	resp.Body.Close()
	if st, _ := me(t, s, fresh.AccessToken); st != http.StatusUnauthorized {
		t.Fatalf("/api/me after revocation: %d, want 401", st)
	}
	stale := *fresh
	stale.Expiry = time.Now().Add(-time.Minute)
	if _, err := conf.TokenSource(ctx, &stale).Token(); retrieveErrorCode(err) != "invalid_grant" {
		t.Fatalf("refresh after revocation: %v", err)
	}
}

// Reusing a rotated-out refresh token revokes the login (-rotate), and
// without -rotate the refresh token stays the same.
func TestRotateFlag(t *testing.T) {
	for _, rotate := range []bool{false, true} {
		var args []string
		if rotate {
			args = []string{"-rotate"}
		}
		s := startTest(t, args...)
		conf := &oauth2.Config{
			ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
			Endpoint: oauth2.Endpoint{TokenURL: s.URL + "/token", AuthStyle: oauth2.AuthStyleInParams},
		}
		_, refresh := s.p.IssueToken("u-1", 0)
		old := &oauth2.Token{RefreshToken: refresh, Expiry: time.Now().Add(-time.Minute)}
		first, err := conf.TokenSource(context.Background(), old).Token()
		if err != nil {
			t.Fatalf("rotate=%v: %v", rotate, err)
		}
		if (first.RefreshToken != refresh) != rotate {
			t.Fatalf("rotate=%v: refresh token changed=%v", rotate, first.RefreshToken != refresh)
		}
		_, err = conf.TokenSource(context.Background(), old).Token()
		if rotate && (retrieveErrorCode(err) != "invalid_grant" || !s.p.Revoked(first.AccessToken)) {
			t.Fatalf("reuse under -rotate: %v, family revoked=%v", err, s.p.Revoked(first.AccessToken))
		}
		if !rotate && err != nil {
			t.Fatalf("second refresh without -rotate: %v", err)
		}
	}
}

// -token-lifetime sets expires_in, and with no -redirect-uri any loopback
// redirect is accepted but another host is not.
func TestTokenLifetimeAndLoopbackRedirects(t *testing.T) {
	s := startTest(t, "-token-lifetime", "90s")
	b := gintest.NewBrowser().NoFollow()
	authorize := func(redirect string) *gintest.Page {
		q := url.Values{"response_type": {"code"}, "client_id": {gintest.DefaultClientID}, "redirect_uri": {redirect},
			"code_challenge": {challenge(randomString())}, "code_challenge_method": {"S256"}}
		page, err := b.Get(s.URL + "/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		return page
	}
	if p := authorize("http://127.0.0.1:5555/cb"); p.StatusCode != http.StatusOK || !strings.Contains(p.Body, `name="name"`) {
		t.Fatalf("loopback redirect: %d", p.StatusCode)
	}
	if p := authorize("https://evil.example/cb"); p.StatusCode != http.StatusBadRequest {
		t.Fatalf("foreign redirect: %d", p.StatusCode)
	}
	cc := &clientcredentials.Config{ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret, TokenURL: s.URL + "/token"}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if left := time.Until(tok.Expiry); left > 90*time.Second || left < 60*time.Second {
		t.Fatalf("token expires in %v, want about 90s", left)
	}
}

// A registered -redirect-uri is matched exactly, and an empty
// -client-secret makes a public client.
func TestRegisteredRedirectAndPublicClient(t *testing.T) {
	s := startTest(t, "-client-secret", "", "-redirect-uri", "http://app.test/cb", "-redirect-uri", "myapp://cb")
	b := gintest.NewBrowser()
	verifier := oauth2.GenerateVerifier()
	conf := &oauth2.Config{ClientID: gintest.DefaultClientID, RedirectURL: "myapp://cb",
		Endpoint: oauth2.Endpoint{AuthURL: s.URL + "/authorize", TokenURL: s.URL + "/token", AuthStyle: oauth2.AuthStyleInParams}}
	form, err := b.Get(conf.AuthCodeURL("x", oauth2.S256ChallengeOption(verifier)))
	if err != nil || form.StatusCode != http.StatusOK {
		t.Fatalf("second registered redirect: %v %+v", err, form)
	}
	back, err := b.NoFollow().SignIn(form, "grace")
	if err != nil {
		t.Fatal(err)
	}
	cb, _ := url.Parse(back.Header.Get("Location"))
	if cb.Scheme != "myapp" {
		t.Fatalf("redirected to %s", cb)
	}
	tok, err := conf.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("public client exchange: %v", err)
	}
	if st, login := me(t, s, tok.AccessToken); st != http.StatusOK || login != "grace" {
		t.Fatalf("/api/me: %d %q", st, login)
	}
	conf.RedirectURL = "http://app.test/cb/other"
	if page, _ := b.Get(conf.AuthCodeURL("x", oauth2.S256ChallengeOption(verifier))); page.StatusCode != http.StatusBadRequest {
		t.Fatalf("unregistered redirect: %d", page.StatusCode)
	}
	cc := &clientcredentials.Config{ClientID: gintest.DefaultClientID, TokenURL: s.URL + "/token", AuthStyle: oauth2.AuthStyleInParams}
	if _, err := cc.Token(context.Background()); retrieveErrorCode(err) != "unauthorized_client" {
		t.Fatalf("client_credentials for a public client: %v", err)
	}
}

// The page at / lists the endpoints and the client, and its ready-made
// authorization URL and verifier really complete a login.
func TestIndexPage(t *testing.T) {
	s := startTest(t, "-client-id", "web<app>")
	b := gintest.NewBrowser()
	page, err := b.Get(s.URL + "/")
	if err != nil || page.StatusCode != http.StatusOK {
		t.Fatalf("GET /: %v %+v", err, page)
	}
	for _, want := range []string{s.URL + "/authorize", s.URL + "/token", s.URL + "/revoke", s.URL + "/api/me",
		`<code id="client-id">web&lt;app&gt;</code>`, `<code id="client-secret">gintest-client-secret</code>`, "any http URI on localhost"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("index lacks %q", want)
		}
	}
	if page.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", page.Header.Get("Cache-Control"))
	}

	// Follow the page's own instructions.
	try := between(page.Body, `<a id="try" href="`, `"`)
	verifier := between(page.Body, "-d code_verifier=", "</pre>")
	tryURL := strings.ReplaceAll(try, "&amp;", "&")
	form, err := b.Get(tryURL)
	if err != nil || form.StatusCode != http.StatusOK {
		t.Fatalf("try URL %q: %v %+v", tryURL, err, form)
	}
	back, err := b.NoFollow().SignIn(form, "ada")
	if err != nil {
		t.Fatal(err)
	}
	cb, _ := url.Parse(back.Header.Get("Location"))
	conf := &oauth2.Config{ClientID: "web<app>", ClientSecret: gintest.DefaultClientSecret, RedirectURL: "http://localhost:8080/callback",
		Endpoint: oauth2.Endpoint{TokenURL: s.URL + "/token", AuthStyle: oauth2.AuthStyleInHeader}}
	if _, err := conf.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(verifier)); err != nil {
		t.Fatalf("exchange with the page's verifier %q: %v", verifier, err)
	}

	// Everything but / is the provider's: an unknown path is its 404.
	if p, _ := b.Get(s.URL + "/nope"); p.StatusCode != http.StatusNotFound {
		t.Errorf("/nope: %d", p.StatusCode)
	}
}

func between(s, from, to string) string {
	_, after, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, to)
	return v
}

// The RFC 8414 metadata names the same endpoints the provider serves.
func TestMetadata(t *testing.T) {
	s := startTest(t)
	resp, err := http.Get(s.URL + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var md struct {
		Issuer        string   `json:"issuer"`
		Authorization string   `json:"authorization_endpoint"`
		Token         string   `json:"token_endpoint"`
		Revocation    string   `json:"revocation_endpoint"`
		PKCE          []string `json:"code_challenge_methods_supported"`
		Grants        []string `json:"grant_types_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&md); err != nil {
		t.Fatal(err)
	}
	if md.Issuer != s.URL || md.Authorization != s.URL+"/authorize" || md.Token != s.URL+"/token" ||
		md.Revocation != s.URL+"/revoke" || strings.Join(md.PKCE, ",") != "S256" ||
		strings.Join(md.Grants, ",") != "authorization_code,refresh_token,client_credentials" {
		t.Fatalf("metadata %+v", md)
	}
}

// The banner prints every endpoint and the client.
func TestBanner(t *testing.T) {
	s := startTest(t)
	var out strings.Builder
	s.printBanner(&out)
	for _, want := range []string{s.URL + "/authorize", s.URL + "/token", s.URL + "/revoke", s.URL + "/api/me",
		gintest.DefaultClientID, gintest.DefaultClientSecret} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "WARNING") {
		t.Errorf("loopback banner warns:\n%s", out.String())
	}
}

// Shutdown lets a request in flight finish and then refuses new ones.
func TestGracefulShutdown(t *testing.T) {
	cfg, _ := parseFlags([]string{"-addr", "127.0.0.1:0"}, io.Discard)
	s, err := start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.p.Fail(gintest.Failure{TokenDelay: 300 * time.Millisecond})
	done := make(chan error, 1)
	go func() {
		cc := &clientcredentials.Config{ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret, TokenURL: s.URL + "/token", AuthStyle: oauth2.AuthStyleInHeader}
		_, err := cc.Token(context.Background())
		done <- err
	}()
	for s.p.Calls(gintest.EndpointToken) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("request in flight during shutdown: %v", err)
	}
	if _, err := http.Get(s.URL + "/"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}

// Bad flags are refused before anything listens.
func TestParseFlagsRefuses(t *testing.T) {
	for _, args := range [][]string{
		{"-redirect-uri", "/relative"},
		{"-redirect-uri", "http://localhost/cb#frag"},
		{"-client-id", ""},
		{"-token-lifetime", "0s"},
		{"-token-lifetime", "-1m"},
		{"stray"},
		{"-no-such-flag"},
	} {
		var out strings.Builder
		if _, err := parseFlags(args, &out); err == nil || !strings.Contains(out.String(), "Usage") {
			t.Errorf("%q: err %v, output %q", args, err, out.String())
		}
	}
	cfg, err := parseFlags(nil, io.Discard)
	if err != nil || cfg.addr != "127.0.0.1:9000" || cfg.clientID != gintest.DefaultClientID ||
		cfg.clientSecret != gintest.DefaultClientSecret || cfg.tokenLifetime != time.Hour || cfg.rotate || len(cfg.redirectURIs) != 0 {
		t.Fatalf("defaults: %v %+v", err, cfg)
	}
}

// An unspecified host in -addr is announced as localhost.
func TestPublicHostPort(t *testing.T) {
	for addr, want := range map[string]string{"127.0.0.1:0": "127.0.0.1:7", ":0": "localhost:7", "0.0.0.0:0": "localhost:7", "[::]:0": "localhost:7", "localhost:0": "localhost:7"} {
		if got := publicHostPort(addr, fakeAddr("127.0.0.1:7")); got != want {
			t.Errorf("%q: %q, want %q", addr, got, want)
		}
	}
}

type fakeAddr string

func (a fakeAddr) Network() string { return "tcp" }
func (a fakeAddr) String() string  { return string(a) }
