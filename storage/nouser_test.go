package storage_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
)

// A new visitor of an app whose tokens are keyed to its own users (the
// recommended setup in docs/storage.md) has no app user yet: for Require, Token,
// Client and Authorized that is "not logged in", as with the default
// storage, never a 500 with ErrUserRequired.
func TestNoAppUserIsNotLoggedIn(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{})
	t.Cleanup(p.Close)
	b := p.NewBlueprint("fake")
	b.SetStorage(storage.New(&memory.Backend{}, storage.Config{User: sessionUser}))
	var failed []error
	b.OnError(func(c *gin.Context, err error) {
		failed = append(failed, err)
		blueprint.DefaultErrorHandler(c, err)
	})
	r := gin.New()
	r.Use(sessions.Sessions("app", cookie.NewStore([]byte("nouser-test-hash-key-0123456789ab"))))
	b.Mount(r.Group("/login"))
	r.GET("/private", b.Require(), func(c *gin.Context) { c.String(http.StatusOK, "private") })
	r.GET("/state", func(c *gin.Context) {
		tok, err := b.Token(c)
		var me map[string]any
		apiErr := b.Client(c).GetJSON("me", &me)
		c.JSON(http.StatusOK, gin.H{"token": tok != nil, "tokenErr": errString(err),
			"authorized": b.Authorized(c), "clientNotAuthorized": errors.Is(apiErr, blueprint.ErrNotAuthorized)})
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, err := cl.Get(srv.URL + "/private?x=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/login/fake?next=%2Fprivate%3Fx%3D1" {
		t.Fatalf("Require without an app user: %d Location %q; want 302 to /login/fake?next=%%2Fprivate%%3Fx%%3D1",
			resp.StatusCode, resp.Header.Get("Location"))
	}
	page, err := gintest.NewBrowser().Get(srv.URL + "/state")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"authorized":false,"clientNotAuthorized":true,"token":false,"tokenErr":""}`
	if page.StatusCode != http.StatusOK || page.Body != want {
		t.Fatalf("without an app user: %d %s; want %s", page.StatusCode, page.Body, want)
	}
	if len(failed) != 0 {
		t.Fatalf("OnError got %v; want no error for a visitor who is not logged in", failed)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// An app that forgets sessions.Sessions gets the same clear error from a
// server-side store whose user function reads the session (docs/storage.md's)
// as from the default session storage: ErrNoSession through OnError, not a
// panic from sessions.Default that ends in an empty 500.
func TestMissingSessionMiddlewareWithUserFunctionIsErrNoSession(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u-1", Login: "alice"}})
	t.Cleanup(p.Close)
	for _, tc := range []struct {
		name  string
		store blueprint.Storage
	}{
		{"default storage", nil},
		{"server-side store", storage.New(&memory.Backend{}, storage.Config{User: sessionUser})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := p.NewBlueprint("fake")
			if tc.store != nil {
				b.SetStorage(tc.store)
			}
			var got error
			b.OnError(func(c *gin.Context, err error) {
				got = err
				blueprint.DefaultErrorHandler(c, err)
			})
			r := gin.New() // no sessions.Sessions
			b.Mount(r.Group("/login"))
			r.GET("/private", b.Require(), func(c *gin.Context) { c.String(http.StatusOK, "private") })
			srv := httptest.NewServer(r)
			t.Cleanup(srv.Close)
			for _, path := range []string{"/private", "/login/fake"} { // a page, then a whole login
				got = nil
				page, err := gintest.NewBrowser().Get(srv.URL + path)
				if err != nil {
					t.Fatalf("GET %s: %v", path, err)
				}
				if !errors.Is(got, blueprint.ErrNoSession) {
					t.Errorf("GET %s: OnError got %v; want ErrNoSession", path, got)
				}
				if page.StatusCode != http.StatusInternalServerError || strings.TrimSpace(page.Body) == "" {
					t.Errorf("GET %s: %d %q; want 500 with an error page", path, page.StatusCode, page.Body)
				}
			}
		})
	}
}
