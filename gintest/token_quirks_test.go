package gintest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// tokenPost sends a raw /token request and decodes the JSON answer.
func tokenPost(t *testing.T, p *Provider, contentType, body string, basic bool) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.TokenURL(), strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if basic {
		req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func codeFor(t *testing.T, p *Provider, verifier string) string {
	conf := config(p)
	return getCode(t, conf, verifier)
}

func TestTokenQuirksBasicOnlyRefusesCredentialsInTheBody(t *testing.T) {
	p := start(t, Options{User: ada(), TokenQuirks: TokenQuirks{ClientAuth: ClientSecretBasic}})
	conf := config(p)
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	v := oauth2.GenerateVerifier()
	_, err := conf.Exchange(context.Background(), getCode(t, conf, v), oauth2.VerifierOption(v))
	if re, ok := err.(*oauth2.RetrieveError); !ok || re.ErrorCode != "invalid_client" {
		t.Fatalf("credentials in the body: %v, want invalid_client", err)
	}
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	if tok := login(t, conf); tok.AccessToken == "" {
		t.Fatal("Basic was refused")
	}
}

func TestTokenQuirksPostOnlyRefusesBasic(t *testing.T) {
	p := start(t, Options{User: ada(), TokenQuirks: TokenQuirks{ClientAuth: ClientSecretPost}})
	conf := config(p)
	v := oauth2.GenerateVerifier()
	if _, err := conf.Exchange(context.Background(), getCode(t, conf, v), oauth2.VerifierOption(v)); err == nil {
		t.Fatal("HTTP Basic was accepted")
	}
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	if tok := login(t, conf); tok.AccessToken == "" {
		t.Fatal("client_secret_post was refused")
	}
}

func TestTokenQuirksJSONRequests(t *testing.T) {
	p := start(t, Options{User: ada(), TokenQuirks: TokenQuirks{JSONRequests: true}})
	v := oauth2.GenerateVerifier()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {codeFor(t, p, v)}, "redirect_uri": {testRedirect}, "code_verifier": {v}}
	if st, out := tokenPost(t, p, "application/x-www-form-urlencoded", form.Encode(), true); st != http.StatusBadRequest || out["error"] != "invalid_request" {
		t.Fatalf("form body: %d %v, want invalid_request", st, out)
	}
	// The form attempt answered before looking at the code: a fresh one.
	v = oauth2.GenerateVerifier()
	body, _ := json.Marshal(map[string]string{"grant_type": "authorization_code", "code": codeFor(t, p, v), "redirect_uri": testRedirect, "code_verifier": v})
	if st, out := tokenPost(t, p, "application/json", string(body), true); st != http.StatusOK || out["access_token"] == nil {
		t.Fatalf("JSON body: %d %v", st, out)
	}
	if st, _ := tokenPost(t, p, "application/json", `{"grant_type": 1}`, true); st != http.StatusBadRequest {
		t.Fatalf("non-string parameter: %d", st)
	}
}

func TestTokenQuirksResponseExtraCarriesTheUser(t *testing.T) {
	var grants []string
	p := start(t, Options{User: ada(), TokenQuirks: TokenQuirks{ResponseExtra: func(grantType string, u *User) map[string]any {
		grants = append(grants, grantType)
		return map[string]any{"athlete": map[string]any{"id": u.ID}, "access_token": "overridden?"}
	}}})
	tok := login(t, config(p))
	if a, _ := tok.Extra("athlete").(map[string]any); a["id"] != "42" {
		t.Fatalf("athlete %v", tok.Extra("athlete"))
	}
	if tok.AccessToken == "overridden?" || len(grants) != 1 || grants[0] != "authorization_code" {
		t.Fatalf("token %q, grants %v", tok.AccessToken, grants)
	}
}

func TestTokenQuirksJSONRevocation(t *testing.T) {
	p := start(t, Options{User: ada(), TokenQuirks: TokenQuirks{JSONRequests: true}})
	for _, tc := range []struct {
		ct, body string
		want     int
	}{
		{"application/x-www-form-urlencoded", "token=x", http.StatusBadRequest},
		{"application/json", `{"token":"x"}`, http.StatusOK},
	} {
		req, _ := http.NewRequest(http.MethodPost, p.RevokeURL(), strings.NewReader(tc.body))
		req.Header.Set("Content-Type", tc.ct)
		req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s revocation: %d, want %d", tc.ct, resp.StatusCode, tc.want)
		}
	}
}

// GrantScopes narrows what a login gets: the token response names the
// granted scopes, the user API sees them, and a refresh keeps them.
// ScopeArray sends them as a JSON array, with ResponseExtra or without.
func TestTokenQuirksGrantScopesAndScopeArray(t *testing.T) {
	userOnly := func(requested []string) []string {
		if len(requested) == 0 {
			t.Error("GrantScopes got no requested scopes")
		}
		return []string{"read:user"}
	}
	for _, tc := range []struct {
		name   string
		quirks TokenQuirks
		want   any
	}{
		{"granted, string", TokenQuirks{GrantScopes: userOnly}, "read:user"},
		{"granted, array", TokenQuirks{GrantScopes: userOnly, ScopeArray: true}, []any{"read:user"}},
		{"all, array", TokenQuirks{ScopeArray: true}, []any{"read:user", "user:email"}},
		{"all, array, with ResponseExtra", TokenQuirks{ScopeArray: true, ResponseExtra: func(string, *User) map[string]any {
			return map[string]any{"scope": "not overridden", "x": 1}
		}}, []any{"read:user", "user:email"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := start(t, Options{User: ada(), TokenQuirks: tc.quirks})
			conf := config(p)
			tok := login(t, conf)
			if got := tok.Extra("scope"); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("scope in the token response %#v, want %#v", got, tc.want)
			}
			refreshed, err := conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			if err != nil {
				t.Fatal(err)
			}
			if got := refreshed.Extra("scope"); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("scope after a refresh %#v, want %#v", got, tc.want)
			}
		})
	}
}

// A Strava-like provider: scopes separated by commas in the request and
// the redirect, the granted ones in the redirect's scope parameter, none
// in the token response.
func TestTokenQuirksStravaStyleScopes(t *testing.T) {
	var asked []string
	p := start(t, Options{User: ada(), TokenQuirks: TokenQuirks{
		ScopeSeparator: ",", ScopeInRedirect: true, OmitScope: true,
		GrantScopes: func(requested []string) []string { asked = requested; return requested[:1] },
	}})
	conf := config(p)
	v := oauth2.GenerateVerifier()
	loc := authorizeRedirect(t, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("scope", "read,activity:read_all")))
	if got := loc.Query().Get("scope"); got != "read" || !reflect.DeepEqual(asked, []string{"read", "activity:read_all"}) {
		t.Fatalf("redirect scope %q (GrantScopes got %q), want read of read and activity:read_all", got, asked)
	}
	tok, err := conf.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	if s := tok.Extra("scope"); s != nil {
		t.Fatalf("token response scope %v, want none", s)
	}
	refreshed, err := conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil || refreshed.Extra("scope") != nil {
		t.Fatalf("refresh: %v, scope %v", err, refreshed.Extra("scope"))
	}
}

// ScopeSeparator alone spells the token response's scope with it.
func TestTokenQuirksScopeSeparatorInTheTokenResponse(t *testing.T) {
	p := start(t, Options{User: ada(), TokenQuirks: TokenQuirks{ScopeSeparator: ","}})
	conf := config(p)
	v := oauth2.GenerateVerifier()
	loc := authorizeRedirect(t, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("scope", "a,b")))
	if loc.Query().Has("scope") {
		t.Fatalf("redirect has scope %q without ScopeInRedirect", loc.Query().Get("scope"))
	}
	tok, err := conf.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(v))
	if err != nil || tok.Extra("scope") != "a,b" {
		t.Fatalf("exchange: %v, scope %v, want a,b", err, tok.Extra("scope"))
	}
}
