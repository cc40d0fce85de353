package storagetest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// NewReplicas returns two values of the store under test, as two instances
// of an app would each make: separate values (ideally separate connection
// pools) that share one database or Redis, keyed the same way, with User as
// their user function.
type NewReplicas func(t *testing.T) (a, b blueprint.Storage)

// ReplicaRequests is how many concurrent API calls RunReplicas makes.
const ReplicaRequests = 100

// RunReplicas runs two app instances, each a Gin engine on its own loopback
// port with its own blueprint and its own value of the store, against one
// fake provider that rotates refresh tokens and revokes the token family on
// reuse. It seeds an expired token for one user, fires ReplicaRequests
// concurrent API calls split across both instances, and checks that every
// call succeeds, that the provider saw exactly one refresh and no spent
// refresh token presented again, and that the rotated token is what the
// store keeps.
func RunReplicas(t *testing.T, newReplicas NewReplicas) {
	runReplicas(t, newReplicas, "replica-user", ReplicaRequests, nil)
}

// JobRequests is how many concurrent API calls RunReplicasWithJob makes
// besides its background job.
const JobRequests = 50

// RunReplicasWithJob is RunReplicas with a background job: JobRequests
// concurrent API calls split across both instances and, at the same
// moment, a job on instance a calling the API for that user through
// Blueprint.ClientFor. The store's values must be blueprint.UserStorage
// (storage.Store is). The job must succeed too, and the refresh be the one
// refresh between the job and the instances.
func RunReplicasWithJob(t *testing.T, newReplicas NewReplicas) {
	runReplicas(t, newReplicas, "job-user", JobRequests, func(job *blueprint.Blueprint, user string) error {
		cl, err := job.ClientFor(context.Background(), user)
		if err != nil {
			return err
		}
		var me struct{ ID string }
		if err := cl.GetJSON("me", &me); err != nil {
			return err
		}
		if me.ID != user {
			return fmt.Errorf("the API answered for %q", me.ID)
		}
		return nil
	})
}

// runReplicas is RunReplicas with requests calls and, when job is not nil,
// job run at the same moment with a blueprint of instance a's store.
func runReplicas(t *testing.T, newReplicas NewReplicas, user string, requests int, job func(*blueprint.Blueprint, string) error) {
	p := gintest.StartProvider(gintest.Options{
		User:                &gintest.User{ID: user, Login: user},
		RotateRefreshTokens: true,
		DetectRefreshReuse:  true,
	})
	t.Cleanup(p.Close)

	a, b := newReplicas(t)
	if a == b {
		t.Fatal("NewReplicas returned the same store value twice; each instance needs its own")
	}
	urls := [2]string{startInstance(t, p, a), startInstance(t, p, b)}

	access, refresh := p.IssueToken(user, -time.Minute)
	seed := &blueprint.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
		Expiry: time.Now().Add(-time.Minute)}
	if err := a.Set(Request(user), "fake", seed); err != nil {
		t.Fatalf("seeding the expired token: %v", err)
	}

	hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: requests}}
	defer hc.CloseIdleConnections()
	start := make(chan struct{})
	results := make([]string, requests)
	var jobErr error
	var wg sync.WaitGroup
	if job != nil {
		// The refresh takes a while, so that the job and the requests
		// overlap whoever starts first.
		p.Fail(gintest.Failure{TokenDelay: 200 * time.Millisecond, ErrorOnGrant: "refresh_token"})
		bp := p.NewBlueprint("fake")
		bp.SetStorage(a)
		wg.Go(func() {
			<-start
			jobErr = job(bp, user)
		})
	}
	for i := range requests {
		wg.Go(func() {
			req, _ := http.NewRequest("GET", urls[i%2]+"/me", nil)
			req.Header.Set(UserHeader, user)
			<-start
			resp, err := hc.Do(req)
			if err != nil {
				results[i] = err.Error()
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			results[i] = fmt.Sprintf("%d %s", resp.StatusCode, body)
		})
	}
	close(start)
	wg.Wait()

	if jobErr != nil {
		t.Errorf("the background job: %v", jobErr)
	}
	failed := 0
	for i, r := range results {
		if r != "200 "+user {
			if failed++; failed <= 5 {
				t.Errorf("request %d (instance %d): %q, want %q", i, i%2, r, "200 "+user)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d requests failed", failed, requests)
	}
	if n := p.Calls(gintest.EndpointRefresh); n != 1 {
		t.Errorf("the provider saw %d refreshes, want exactly 1 between the two instances (and the job)", n)
	}
	if n := p.RefreshReuses(); n != 0 {
		t.Errorf("a spent refresh token was presented %d times", n)
	}
	for i, s := range []blueprint.Storage{a, b} {
		tok, err := s.Get(Request(user), "fake")
		if err != nil || tok == nil || tok.AccessToken == access || tok.RefreshToken == refresh || tok.Expired(time.Now(), time.Minute) {
			t.Errorf("instance %d reads %+v, %v from the store, want the rotated token", i, tok, err)
		}
	}
}

// startInstance serves one app instance: sessions, a blueprint for p with
// store s, and GET /me answering the provider's user id for the token.
func startInstance(t *testing.T, p *gintest.Provider, s blueprint.Storage) string {
	r := gin.New()
	r.Use(sessions.Sessions("gindance", cookie.NewStore([]byte("storagetest-hash-key-0123456789ab"))))
	bp := p.NewBlueprint("fake")
	bp.SetStorage(s)
	bp.Mount(r.Group("/login"))
	r.GET("/me", func(c *gin.Context) {
		resp, err := bp.Client(c).Get("me")
		if err != nil {
			c.String(http.StatusBadGateway, "client: %v", err)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			c.String(http.StatusBadGateway, "api: %d %s", resp.StatusCode, body)
			return
		}
		id := ""
		if _, rest, ok := strings.Cut(string(body), `"id":"`); ok {
			id, _, _ = strings.Cut(rest, `"`)
		}
		c.String(http.StatusOK, id)
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL
}
