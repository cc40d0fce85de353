package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// go-github, given the blueprint's HTTPClient by GitHubFor, calls the fake
// provider's API as the logged-in user: with the token refreshed first when
// it expired, and never to a host the token was not issued for.
func TestGoGitHubThroughHTTPClient(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "7", Login: "octocat"}, RotateRefreshTokens: true})
	t.Cleanup(p.Close)
	var leaked atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { leaked.Add(1) }))
	t.Cleanup(foreign.Close)
	gh := p.NewBlueprint("github")
	access, refresh := p.IssueToken("7", -time.Minute)
	gintest.SeedToken(gh, &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "bearer", Expiry: time.Now().Add(-time.Minute)})

	var login string
	var callErr, foreignErr error
	r := gin.New()
	r.GET("/", func(c *gin.Context) {
		client := GitHubFor(c, gh, p.APIBaseURL())
		req, err := client.NewRequest(http.MethodGet, "me", nil) // the fake API's /api/me
		if err != nil {
			callErr = err
			return
		}
		var me struct{ Login string }
		_, callErr = client.Do(c, req, &me)
		login = me.Login
		_, _, foreignErr = GitHubFor(c, gh, foreign.URL+"/").Users.Get(c, "")
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if callErr != nil || login != "octocat" {
		t.Errorf("go-github: %q, %v; want octocat", login, callErr)
	}
	if n := p.Calls(gintest.EndpointRefresh); n != 1 {
		t.Errorf("%d refreshes, want 1 (the seeded token had expired)", n)
	}
	if !errors.Is(foreignErr, blueprint.ErrForeignHost) || leaked.Load() != 0 {
		t.Errorf("go-github at a foreign host: %v, %d requests there; want ErrForeignHost and none", foreignErr, leaked.Load())
	}
}
