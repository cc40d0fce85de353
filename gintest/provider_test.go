package gintest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// TestCodeFlow walks the authorization code flow with PKCE (RFC 6749
// §4.1, RFC 7636) as golang.org/x/oauth2 does it, then reads the user.
func TestCodeFlow(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	tok := login(t, conf)
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("token %+v lacks access or refresh token", tok)
	}
	if tok.TokenType != "Bearer" {
		t.Errorf("token_type %q, want Bearer", tok.TokenType)
	}
	if d := time.Until(tok.Expiry); d < 59*time.Minute || d > time.Hour+time.Minute {
		t.Errorf("expiry in %v, want about 1h", d)
	}
	if s, _ := tok.Extra("scope").(string); s != "read:user user:email" {
		t.Errorf("scope %q, want the requested scopes", s)
	}
	status, u, _ := me(t, p, tok.AccessToken)
	if status != http.StatusOK {
		t.Fatalf("/api/me status %d", status)
	}
	want := userJSON{ID: "42", Login: "ada", Name: "Ada Lovelace", Email: "ada@example.test", EmailVerified: true, AvatarURL: "https://avatars.example.test/42"}
	if u != want {
		t.Errorf("/api/me = %+v, want %+v", u, want)
	}
	// The oauth2 client's own HTTP client sends the bearer token.
	resp, err := conf.Client(context.Background(), tok).Get(p.APIBaseURL() + "me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("oauth2 client /api/me status %d", resp.StatusCode)
	}
}

func TestURLs(t *testing.T) {
	p := NewProvider(Options{})
	if p.URL() != "" {
		t.Errorf("unstarted URL %q, want empty", p.URL())
	}
	p.SetBaseURL("http://127.0.0.1:8080/")
	for got, want := range map[string]string{
		p.URL():        "http://127.0.0.1:8080",
		p.AuthURL():    "http://127.0.0.1:8080/authorize",
		p.TokenURL():   "http://127.0.0.1:8080/token",
		p.RevokeURL():  "http://127.0.0.1:8080/revoke",
		p.APIBaseURL(): "http://127.0.0.1:8080/api/",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	p.Close() // no-op for an unstarted provider
}

// TestStandalone serves a NewProvider from a server of the test's own.
func TestStandalone(t *testing.T) {
	p := NewProvider(Options{User: ada()})
	srv := httptest.NewServer(p)
	defer srv.Close()
	p.SetBaseURL(srv.URL)
	tok := login(t, config(p))
	if status, u, _ := me(t, p, tok.AccessToken); status != 200 || u.Login != "ada" {
		t.Fatalf("/api/me: %d %+v", status, u)
	}
}

func TestCloseStops(t *testing.T) {
	p := StartProvider(Options{})
	u := p.TokenURL()
	p.Close()
	p.Close()
	if _, err := http.Post(u, "application/x-www-form-urlencoded", nil); err == nil {
		t.Fatal("provider still answers after Close")
	}
}

func TestCalls(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	tok := login(t, conf)
	if _, err := conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Fatal(err)
	}
	me(t, p, tok.AccessToken)
	me(t, p, "nope")
	postForm(t, p.RevokeURL(), map[string][]string{"token": {tok.AccessToken}}, true)
	want := map[Endpoint]int{EndpointAuthorize: 1, EndpointToken: 2, EndpointRefresh: 1, EndpointAPI: 2, EndpointRevoke: 1}
	for e, n := range want {
		if got := p.Calls(e); got != n {
			t.Errorf("Calls(%v) = %d, want %d", e, got, n)
		}
	}
	p.ResetCalls()
	for e := range want {
		if got := p.Calls(e); got != 0 {
			t.Errorf("after ResetCalls, Calls(%v) = %d", e, got)
		}
	}
}

func TestSetUser(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	p.SetUser(&User{ID: "7", Login: "grace"})
	tok := login(t, conf)
	if _, u, _ := me(t, p, tok.AccessToken); u.ID != "7" || u.Login != "grace" {
		t.Fatalf("/api/me = %+v, want grace", u)
	}
	p.SetUser(nil)
	page, err := NewBrowser().Get(conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != 200 || !contains(page.Body, "Sign in to the gintest provider") {
		t.Fatalf("SetUser(nil) should show the sign-in form; got %d", page.StatusCode)
	}
}

func TestIssueToken(t *testing.T) {
	p := start(t, Options{User: ada()})
	access, refresh := p.IssueToken("42", 0)
	if _, u, _ := me(t, p, access); u.Login != "ada" {
		t.Errorf("IssueToken for the current user: /api/me = %+v", u)
	}
	other, _ := p.IssueToken("bob", time.Minute)
	if _, u, _ := me(t, p, other); u.ID != "bob" || u.Login != "bob" {
		t.Errorf("IssueToken for another id: /api/me = %+v", u)
	}
	expired, _ := p.IssueToken("42", -time.Second)
	if status, _, _ := me(t, p, expired); status != http.StatusUnauthorized {
		t.Errorf("expired token: status %d, want 401", status)
	}
	tok, err := config(p).TokenSource(context.Background(), &oauth2.Token{RefreshToken: refresh}).Token()
	if err != nil {
		t.Fatalf("refreshing an issued token: %v", err)
	}
	if _, u, _ := me(t, p, tok.AccessToken); u.Login != "ada" {
		t.Errorf("refreshed issued token: /api/me = %+v", u)
	}
}

func TestEndpointString(t *testing.T) {
	if EndpointRefresh.String() != "refresh" || Endpoint(99).String() != "unknown" {
		t.Fatal("Endpoint.String")
	}
}
