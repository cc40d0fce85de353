package blueprint_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// mountPanic mounts b on r.Group(group) and returns what Mount panicked
// with (nil when it did not).
func mountPanic(b *blueprint.Blueprint, r *gin.Engine, group string) (v any) {
	defer func() { v = recover() }()
	b.Mount(r.Group(group))
	return nil
}

// An absolute RedirectURL whose path is not the callback route Mount serves
// would end every login in the app's 404 after the provider's redirect:
// Mount refuses it with an ErrConfig that names both paths.
func TestMountRefusesRedirectURLOnAnotherPath(t *testing.T) {
	for _, tc := range []struct{ redirect, group string }{
		{"https://app.example/auth/fake/authorized", "/login"},
		{"https://app.example/login/fake/callback", "/login"},
		{"https://app.example/login/fake/authorized", "/"},
		{"https://app.example", "/login"},
	} {
		b := blueprint.NewOAuth2("fake", blueprint.OAuth2Config{ClientID: "c", ClientSecret: "test-client-secret",
			AuthURL: "https://idp.example/authorize", TokenURL: "https://idp.example/token", RedirectURL: tc.redirect})
		v := mountPanic(b, gin.New(), tc.group)
		err, _ := v.(error)
		if !errors.Is(err, blueprint.ErrConfig) {
			t.Fatalf("RedirectURL %q on %q: Mount panicked with %v, want an error wrapping ErrConfig", tc.redirect, tc.group, v)
		}
		served := strings.TrimSuffix(tc.group, "/") + "/fake/authorized"
		mustContain(t, err.Error(), fmt.Sprintf("but the callback is served at %q", served))
		mustContain(t, err.Error(), "has the path")
	}
	ok := blueprint.NewOAuth2("fake", blueprint.OAuth2Config{ClientID: "c", ClientSecret: "test-client-secret",
		AuthURL: "https://idp.example/authorize", TokenURL: "https://idp.example/token", RedirectURL: "https://app.example/login/fake/authorized"})
	if v := mountPanic(ok, gin.New(), "/login"); v != nil {
		t.Fatalf("a RedirectURL on the mounted path: Mount panicked with %v", v)
	}
}

// Behind a proxy that rewrites /auth/... to /login/..., the browser's
// callback path is not the app's: SkipRedirectPathCheck lets Mount accept
// it, and the whole login works through the proxy.
func TestSkipRedirectPathCheckForRewritingProxy(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u-1", Login: "alice"}})
	t.Cleanup(p.Close)
	var app http.Handler
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rest, ok := strings.CutPrefix(r.URL.Path, "/auth/"); ok {
			r.URL.Path = "/login/" + rest
		}
		app.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	redirect := proxy.URL + "/auth/fake/authorized"

	refused := p.NewBlueprint("fake", func(c *blueprint.OAuth2Config) { c.RedirectURL = redirect })
	if err, _ := mountPanic(refused, gin.New(), "/login").(error); !errors.Is(err, blueprint.ErrConfig) {
		t.Fatalf("without the opt-out: %v, want ErrConfig", err)
	}

	b := p.NewBlueprint("fake", func(c *blueprint.OAuth2Config) {
		c.RedirectURL, c.SkipRedirectPathCheck = redirect, true
	})
	r := newEngine()
	b.Mount(r.Group("/login"))
	r.GET("/me", b.Require(), func(c *gin.Context) {
		id, err := b.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, id.Username)
	})
	app = r
	page, err := gintest.NewBrowser().Get(proxy.URL + "/auth/fake?next=/me")
	if err != nil || page.StatusCode != http.StatusOK || page.Body != "alice" {
		t.Fatalf("login through the rewriting proxy: %v %v", err, page)
	}
}
