package gintest

import (
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"
)

// RFC 6749 §4.1.2.1 and RFC 9700 §4.11.2: an unknown client or a
// redirect_uri not registered for it gets a 400 page, never a redirect.
func TestBadClientNeverRedirects_RFC6749_4_1_2_1(t *testing.T) {
	p := start(t, Options{User: ada(), Clients: []Client{{ID: "reg", Secret: "s", RedirectURIs: []string{"https://app.example.test/cb"}}}})
	challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	cases := map[string]url.Values{
		"unknown client":          {"client_id": {"nobody"}, "redirect_uri": {"https://app.example.test/cb"}},
		"no client":               {"redirect_uri": {"https://app.example.test/cb"}},
		"unregistered redirect":   {"client_id": {"reg"}, "redirect_uri": {"https://evil.example.test/cb"}},
		"registered prefix only":  {"client_id": {"reg"}, "redirect_uri": {"https://app.example.test/cb/../evil"}},
		"repeated redirect_uri":   {"client_id": {"reg"}, "redirect_uri": {"https://app.example.test/cb", "https://evil.example.test/"}},
		"non-loopback by default": {"client_id": {DefaultClientID}, "redirect_uri": {"http://example.test/cb"}},
	}
	// Give the default client too, for the last case.
	p2 := start(t, Options{User: ada()})
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			q.Set("response_type", "code")
			q.Set("code_challenge", challenge)
			q.Set("code_challenge_method", "S256")
			q.Set("state", "s")
			target := p
			if q.Get("client_id") == DefaultClientID {
				target = p2
			}
			page, err := NewBrowser().NoFollow().Get(target.AuthURL() + "?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			if page.StatusCode != http.StatusBadRequest || page.Header.Get("Location") != "" {
				t.Fatalf("status %d Location %q, want 400 and no redirect", page.StatusCode, page.Header.Get("Location"))
			}
			if !contains(page.Header.Get("Content-Type"), "text/html") || !contains(page.Body, "Bad authorization request") {
				t.Fatalf("want an HTML error page, got %q", page.Body)
			}
		})
	}
}

func TestLoopbackRedirectsAccepted_RFC8252_7_3(t *testing.T) {
	p := start(t, Options{User: ada()})
	for _, ru := range []string{"http://localhost:1234/cb", "http://127.0.0.1/cb", "http://[::1]:8080/x?keep=1"} {
		conf := config(p)
		conf.RedirectURL = ru
		loc := authorizeRedirect(t, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if loc.Query().Get("code") == "" {
			t.Errorf("%s: no code in %s", ru, loc)
		}
		if want, _ := url.Parse(ru); loc.Host != want.Host || loc.Path != want.Path {
			t.Errorf("redirected to %s, want %s", loc, ru)
		}
	}
	conf := config(p)
	conf.RedirectURL = "http://[::1]:8080/x?keep=1"
	loc := authorizeRedirect(t, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if loc.Query().Get("keep") != "1" {
		t.Errorf("redirect_uri query lost: %s", loc)
	}
}

func TestRegisteredRedirectDefault(t *testing.T) {
	p := start(t, Options{User: ada(), Clients: []Client{{ID: "reg", Secret: "s", RedirectURIs: []string{"https://app.example.test/cb"}}}})
	conf := &oauth2.Config{ClientID: "reg", ClientSecret: "s", Endpoint: oauth2.Endpoint{AuthURL: p.AuthURL(), TokenURL: p.TokenURL()}}
	v := oauth2.GenerateVerifier()
	loc := authorizeRedirect(t, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(v)))
	if loc.Host != "app.example.test" {
		t.Fatalf("redirected to %s, want the registered URI", loc)
	}
	if loc.Query().Get("iss") != p.URL() {
		t.Errorf("iss = %q, want %q (RFC 9207)", loc.Query().Get("iss"), p.URL())
	}
	if _, err := conf.Exchange(bg, loc.Query().Get("code"), oauth2.VerifierOption(v)); err != nil {
		t.Fatalf("exchange without redirect_uri when /authorize had none: %v", err)
	}
}

// RFC 9700 §2.1.1 and RFC 7636 §4.4.1: without code_challenge, or with
// plain, the request is refused with invalid_request — by redirect, with
// the state.
func TestPKCERequired_RFC9700_2_1_1(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	v := oauth2.GenerateVerifier()
	for name, u := range map[string]string{
		"missing":   conf.AuthCodeURL("st"),
		"plain":     conf.AuthCodeURL("st", oauth2.SetAuthURLParam("code_challenge", v), oauth2.SetAuthURLParam("code_challenge_method", "plain")),
		"no method": conf.AuthCodeURL("st", oauth2.SetAuthURLParam("code_challenge", v)),
		"short":     conf.AuthCodeURL("st", oauth2.SetAuthURLParam("code_challenge", "abc"), oauth2.SetAuthURLParam("code_challenge_method", "S256")),
		"unknown":   conf.AuthCodeURL("st", oauth2.SetAuthURLParam("code_challenge", v), oauth2.SetAuthURLParam("code_challenge_method", "S512")),
	} {
		loc := authorizeRedirect(t, u)
		q := loc.Query()
		if q.Get("error") != "invalid_request" || q.Get("state") != "st" || q.Get("code") != "" || q.Get("error_description") == "" {
			t.Errorf("%s: redirect %s, want error=invalid_request with state and description", name, loc)
		}
	}
}

// RFC 6749 §4.1.2.1: unsupported_response_type.
func TestResponseType_RFC6749_4_1_2_1(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	u := conf.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("response_type", "token"))
	if got := authorizeRedirect(t, u).Query().Get("error"); got != "unsupported_response_type" {
		t.Errorf("error %q, want unsupported_response_type", got)
	}
}

func TestDefaultScopes(t *testing.T) {
	p := start(t, Options{User: ada(), Scopes: []string{"openid", "profile"}})
	conf := config(p)
	conf.Scopes = nil
	tok := login(t, conf)
	if s, _ := tok.Extra("scope").(string); s != "openid profile" {
		t.Errorf("scope %q, want the default scopes", s)
	}
}
