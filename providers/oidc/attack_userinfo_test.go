package oidc_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/oidc"
)

// userinfoFixture is a login with Config.UserInfo against a provider
// served behind a handler that records the access tokens sent to
// /userinfo, with the app's log captured.
type userinfoFixture struct {
	*fixture
	log    *bytes.Buffer
	mu     sync.Mutex
	tokens []string
}

func newUserinfoFixture(t *testing.T, opts gintest.OIDCOptions) *userinfoFixture {
	t.Helper()
	uf := &userinfoFixture{log: &bytes.Buffer{}}
	p := gintest.NewOIDCProvider(opts)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/userinfo" {
			uf.mu.Lock()
			uf.tokens = append(uf.tokens, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
			uf.mu.Unlock()
		}
		p.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.SetBaseURL(srv.URL)
	var logMu sync.Mutex
	uf.fixture = newFixtureWith(t, p, func(c *oidc.Config) {
		c.UserInfo = true
		c.Logger = slog.New(slog.NewTextHandler(lockedWriter{&logMu, uf.log}, nil))
	})
	return uf
}

// warmUp starts a login without following it, so that what a measured
// login allocates does not include the blueprint's one-time derivation of
// its pending-login key (64 MiB), nor discovery.
func (uf *userinfoFixture) warmUp(t *testing.T) {
	t.Helper()
	if page, err := uf.browser.NoFollow().Get(uf.app.URL + "/login/idp"); err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("login start: %v %+v", err, page)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// assertUserinfoRefused logs in and checks that the login ended in a 502
// through OnError with a *blueprint.ProviderError of Op "userinfo" and
// status status wrapping want (when not nil), and that neither the error
// nor the log carries the access token sent to /userinfo or the body.
func (uf *userinfoFixture) assertUserinfoRefused(t *testing.T, status int, want error) *blueprint.ProviderError {
	t.Helper()
	page := uf.get(t, "/login/idp?next=/me")
	if page.StatusCode != http.StatusBadGateway {
		t.Fatalf("login: %d %.200q, want 502", page.StatusCode, page.Body)
	}
	err := uf.lastErr(t)
	var pe *blueprint.ProviderError
	if !errors.As(err, &pe) || pe.Op != "userinfo" || pe.StatusCode != status || (want != nil && !errors.Is(err, want)) {
		t.Fatalf("OnError got %.300v; want a ProviderError with Op userinfo, HTTP %d, wrapping %v", err, status, want)
	}
	uf.mu.Lock()
	tokens := uf.tokens
	uf.mu.Unlock()
	if len(tokens) == 0 {
		t.Fatal("/userinfo was not called")
	}
	for _, s := range append(tokens, "upstream failed", "xxxxxxxx") {
		if s == "" {
			t.Fatal("an empty access token was sent")
		}
		if strings.Contains(err.Error(), s) || strings.Contains(uf.log.String(), s) {
			t.Fatalf("the error or the log carries %.40q (of the body or the token): %.300v", s, err)
		}
	}
	if page := uf.get(t, "/"); page.Body != "authorized=false" {
		t.Fatalf("after the refused login: %q, want nothing stored", page.Body)
	}
	return pe
}

// A 502 from /userinfo with an 8 MiB body that echoes the request's bearer
// token: go-oidc read all of it and put it into the error, which the
// default handler logged (an 8 MiB line with the token; 82 MiB allocated
// for one login). ProviderError promises no body; the error now has the
// status only, and the read is bounded.
func TestAttackUserinfoErrorBodyHugeAndEchoingTheToken(t *testing.T) {
	uf := newUserinfoFixture(t, gintest.OIDCOptions{})
	uf.p.Fail(gintest.OIDCFailure{UserinfoStatus: http.StatusBadGateway, UserinfoPadding: 8 << 20})
	uf.warmUp(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	uf.assertUserinfoRefused(t, http.StatusBadGateway, nil)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 6<<20 {
		t.Fatalf("the login allocated %d MiB for an 8 MiB error body; the read is not bounded", alloc>>20)
	}
}

// RFC 6750 §3, OpenID Connect Core §5.3.3: a userinfo error is a Bearer
// challenge; its error code is kept (the description, here echoing the
// token, is not).
func TestAttackUserinfoErrorKeepsOnlyTheOAuthErrorCode_RFC6750_3(t *testing.T) {
	uf := newUserinfoFixture(t, gintest.OIDCOptions{})
	uf.p.Fail(gintest.OIDCFailure{UserinfoStatus: http.StatusUnauthorized})
	if pe := uf.assertUserinfoRefused(t, http.StatusUnauthorized, nil); pe.Code != "invalid_token" || pe.Description != "" {
		t.Fatalf("Code %q, Description %q; want invalid_token and none", pe.Code, pe.Description)
	}
}

// A 200 userinfo answer larger than 1 MiB is refused after reading 1 MiB
// (as a token response is), not read whole.
func TestAttackUserinfoAnswerLargerThan1MiBRefused(t *testing.T) {
	uf := newUserinfoFixture(t, gintest.OIDCOptions{})
	uf.p.Fail(gintest.OIDCFailure{UserinfoPadding: 8 << 20})
	uf.warmUp(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	uf.assertUserinfoRefused(t, http.StatusOK, oidc.ErrUserInfo)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 6<<20 {
		t.Fatalf("the login allocated %d MiB for an 8 MiB answer; the read is not bounded", alloc>>20)
	}
}

// OpenID Connect Core §5.3.2: a signed userinfo answer (application/jwt)
// is verified with the provider's JWKS, the key set id_tokens are verified
// with (not a second, unbounded one), and its claims are used; an altered
// signature, or an aud naming another client, is refused.
func TestSignedUserinfo_OIDCCore_5_3_2(t *testing.T) {
	uf := newUserinfoFixture(t, gintest.OIDCOptions{SignedUserinfo: true, ProfileInUserinfoOnly: true})
	page := uf.get(t, "/login/idp?next=/me")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "user=alice") {
		t.Fatalf("login with a signed userinfo answer: %d %q (%v)", page.StatusCode, page.Body, uf.errs)
	}
	if _, jwks := uf.p.Fetches(); jwks != 1 {
		t.Fatalf("JWKS fetched %d times; want once, shared by id_tokens and userinfo", jwks)
	}
	for _, f := range []gintest.OIDCFailure{{UserinfoBadSignature: true}, {UserinfoWrongAudience: true}} {
		uf := newUserinfoFixture(t, gintest.OIDCOptions{SignedUserinfo: true})
		uf.p.Fail(f)
		uf.assertUserinfoRefused(t, http.StatusOK, oidc.ErrUserInfo)
	}
}
