package storage_test

import (
	"context"
	"errors"
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
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	m.Run()
}

// sessionUser is an app's user function: the user id its own login put in
// the session.
func sessionUser(c *gin.Context) (string, error) {
	id, _ := sessions.Default(c).Get("user_id").(string)
	return id, nil
}

// app is a Gin app with its own sign-in (GET /signin?as=) and two providers
// sharing one token store.
type app struct {
	srv       *httptest.Server
	providers map[string]*gintest.Provider
	bps       map[string]*blueprint.Blueprint

	mu   sync.Mutex
	errs []error
}

func newApp(t *testing.T, store blueprint.Storage, onLogin func(c *gin.Context, tok *blueprint.Token) error) *app {
	t.Helper()
	a := &app{providers: map[string]*gintest.Provider{}, bps: map[string]*blueprint.Blueprint{}}
	r := gin.New()
	r.Use(sessions.Sessions("app", cookie.NewStore([]byte("store-test-hash-key-0123456789abc"))))
	r.GET("/signin", func(c *gin.Context) {
		s := sessions.Default(c)
		s.Set("user_id", c.Query("as"))
		_ = s.Save()
		c.String(200, "signed in")
	})
	for _, name := range []string{"github", "google"} {
		p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: name + "-id", Login: name + "-login"}})
		t.Cleanup(p.Close)
		b := p.NewBlueprint(name)
		b.SetStorage(store)
		b.OnError(func(c *gin.Context, err error) {
			a.mu.Lock()
			a.errs = append(a.errs, err)
			a.mu.Unlock()
			blueprint.DefaultErrorHandler(c, err)
		})
		if onLogin != nil {
			b.OnLogin(onLogin)
		}
		b.Mount(r.Group("/login"))
		r.GET("/api/"+name, func(c *gin.Context) {
			id, err := b.Identity(c)
			if err != nil {
				c.String(http.StatusBadGateway, "error: %v", err)
				return
			}
			c.String(200, id.Username)
		})
		a.providers[name], a.bps[name] = p, b
	}
	a.srv = httptest.NewServer(r)
	t.Cleanup(a.srv.Close)
	return a
}

func (a *app) get(t *testing.T, br *gintest.Browser, path string) *gintest.Page {
	t.Helper()
	page, err := br.Get(a.srv.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return page
}

func (a *app) lastErr() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.errs) == 0 {
		return nil
	}
	return a.errs[len(a.errs)-1]
}

func TestUserRequiredRefusesLoginAndStoresNothing(t *testing.T) {
	be := &memory.Backend{}
	a := newApp(t, storage.New(be, storage.Config{User: sessionUser}), nil)
	page := a.get(t, gintest.NewBrowser(), "/login/github")
	if page.StatusCode < 400 {
		t.Fatalf("login without an app user: %d %q, want an error page", page.StatusCode, page.Body)
	}
	if err := a.lastErr(); !errors.Is(err, storage.ErrUserRequired) {
		t.Fatalf("OnError got %v, want ErrUserRequired", err)
	}
	if be.Len() != 0 {
		t.Fatalf("%d tokens stored, want none", be.Len())
	}
}

func TestUserLinksTwoProvidersAndLoginReplaces(t *testing.T) {
	store := memory.New(storage.Config{User: sessionUser})
	a := newApp(t, store, nil)
	br := gintest.NewBrowser()
	a.get(t, br, "/signin?as=alice")
	a.get(t, br, "/login/github")
	a.get(t, br, "/login/google")
	for name, want := range map[string]string{"github": "github-login", "google": "google-login"} {
		if page := a.get(t, br, "/api/"+name); page.Body != want {
			t.Fatalf("/api/%s: %d %q, want %q", name, page.StatusCode, page.Body, want)
		}
	}
	ctx := context.Background()
	first, err := store.GetFor(ctx, "github", "alice")
	if err != nil || first == nil {
		t.Fatalf("alice's github token: %v %v", first, err)
	}
	if tok, _ := store.GetFor(ctx, "google", "alice"); tok == nil {
		t.Fatal("alice's google token is missing")
	}
	// logging in again replaces alice's github token and keeps google's
	a.get(t, br, "/login/github")
	second, _ := store.GetFor(ctx, "github", "alice")
	if second == nil || second.AccessToken == first.AccessToken {
		t.Fatalf("second login left %v, want a new token", second)
	}
	if n := store.Backend().(*memory.Backend).Len(); n != 2 {
		t.Fatalf("%d tokens stored, want 2 (one per provider)", n)
	}
	// another user of the app sees none of alice's tokens
	bob := gintest.NewBrowser()
	a.get(t, bob, "/signin?as=bob")
	if page := a.get(t, bob, "/api/github"); !strings.Contains(page.Body, "not authorized") {
		t.Fatalf("bob's /api/github: %d %q, want not authorized", page.StatusCode, page.Body)
	}
}

// An OnLogin hook that logs the app's user in makes the token theirs: the
// user function runs when the token is stored, after the hooks.
func TestOnLoginThatLogsInKeysTheToken(t *testing.T) {
	store := memory.New(storage.Config{User: sessionUser})
	a := newApp(t, store, func(c *gin.Context, tok *blueprint.Token) error {
		s := sessions.Default(c)
		s.Set("user_id", "created-by-onlogin")
		return s.Save()
	})
	a.get(t, gintest.NewBrowser(), "/login/github")
	if err := a.lastErr(); err != nil {
		t.Fatalf("OnError: %v", err)
	}
	if tok, err := store.GetFor(context.Background(), "github", "created-by-onlogin"); err != nil || tok == nil {
		t.Fatalf("token of the user OnLogin created: %v %v", tok, err)
	}
}

func TestAnonymousVisitorsAreKeyedPerBrowser(t *testing.T) {
	be := &memory.Backend{}
	a := newApp(t, storage.New(be, storage.Config{User: sessionUser, Anonymous: true}), nil)
	br := gintest.NewBrowser()
	a.get(t, br, "/login/github")
	if page := a.get(t, br, "/api/github"); page.Body != "github-login" {
		t.Fatalf("anonymous browser after login: %d %q", page.StatusCode, page.Body)
	}
	if be.Len() != 1 {
		t.Fatalf("%d tokens stored, want 1", be.Len())
	}
	if page := a.get(t, gintest.NewBrowser(), "/api/github"); !strings.Contains(page.Body, "not authorized") {
		t.Fatalf("another browser: %d %q, want not authorized", page.StatusCode, page.Body)
	}
	// the same browser linking a second provider keeps one anonymous key
	a.get(t, br, "/login/google")
	if page := a.get(t, br, "/api/google"); page.Body != "google-login" {
		t.Fatalf("second provider: %q", page.Body)
	}
	if page := a.get(t, br, "/api/github"); page.Body != "github-login" {
		t.Fatalf("first provider after the second: %q", page.Body)
	}
}

func TestAnonymousKeyHasPrefix(t *testing.T) {
	s := memory.New(storage.Config{Anonymous: true})
	r := gin.New()
	r.Use(sessions.Sessions("s", cookie.NewStore([]byte("k"))))
	var key string
	var err error
	r.GET("/", func(c *gin.Context) { key, err = s.UserKey(c, true) })
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if err != nil || !strings.HasPrefix(key, storage.AnonymousPrefix) || len(key) < len(storage.AnonymousPrefix)+40 {
		t.Fatalf("UserKey = %q, %v", key, err)
	}
}

// brokenBackend fails every operation as a database that is down does.
type brokenBackend struct{}

var errDown = errors.New("dial tcp 127.0.0.1:1: connect: connection refused")

func (brokenBackend) Load(context.Context, storage.Key) ([]byte, error) { return nil, errDown }
func (brokenBackend) Save(context.Context, storage.Key, []byte, *blueprint.Token) error {
	return errDown
}
func (brokenBackend) Remove(context.Context, storage.Key) error { return errDown }

func TestBackendDownIsAnErrorNotALogout(t *testing.T) {
	a := newApp(t, storage.New(brokenBackend{}, storage.Config{User: sessionUser}), nil)
	br := gintest.NewBrowser()
	a.get(t, br, "/signin?as=alice")
	page := a.get(t, br, "/login/github")
	if page.StatusCode < 500 {
		t.Fatalf("login with the store down: %d, want a 5xx error page", page.StatusCode)
	}
	if err := a.lastErr(); !errors.Is(err, storage.ErrStoreUnavailable) || !errors.Is(err, errDown) {
		t.Fatalf("OnError got %v, want ErrStoreUnavailable wrapping the driver error", err)
	}
	page = a.get(t, br, "/api/github")
	if !strings.Contains(page.Body, storage.ErrStoreUnavailable.Error()) {
		t.Fatalf("API call with the store down: %q, want the store error, not a logout", page.Body)
	}
}

// slowBackend blocks until its context ends, as a database that hangs.
type slowBackend struct{ brokenBackend }

func (slowBackend) Load(ctx context.Context, _ storage.Key) ([]byte, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestBackendTimeoutIsBounded(t *testing.T) {
	s := storage.New(slowBackend{}, storage.Config{User: func(*gin.Context) (string, error) { return "u", nil }, Timeout: 50 * time.Millisecond})
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("GET", "/", nil)
	start := time.Now()
	_, err := s.Get(c, "github")
	if !errors.Is(err, storage.ErrStoreUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get: %v, want ErrStoreUnavailable and DeadlineExceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Get took %v with a 50ms timeout", d)
	}
}

// leakyLocks is a backend whose lock is lost as soon as it is taken, as a
// PostgreSQL advisory lock or MySQL GET_LOCK is when the server kills the
// holder's connection while the holder goes on refreshing.
type leakyLocks struct{ *memory.Backend }

func (leakyLocks) Lock(context.Context, storage.Key, time.Duration) (func(), error) {
	return func() {}, nil
}

// A refresh lock whose backend lock was lost still excludes: the holder's
// lease, written in the store's data, makes the next taker wait until the
// holder unlocks, or until LockTTL when the holder died.
func TestRefreshLockSurvivesLostBackendLock(t *testing.T) {
	s := storage.New(leakyLocks{&memory.Backend{}}, storage.Config{LockTTL: 400 * time.Millisecond})
	bg := context.Background()
	unlock, err := s.LockFor(bg, "github", "alice")
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(bg, 100*time.Millisecond)
	defer cancel()
	if u, err := s.LockFor(short, "github", "alice"); err == nil {
		u()
		t.Fatal("a second holder got the lock while the first holds it (its backend lock lost)")
	} else if !errors.Is(err, storage.ErrStoreUnavailable) {
		t.Fatalf("waiting: %v, want ErrStoreUnavailable", err)
	}
	if u, err := s.LockFor(short, "github", "bob"); err != nil {
		t.Fatalf("another user's lock: %v", err)
	} else {
		u()
	}
	unlock()
	start := time.Now()
	u2, err := s.LockFor(bg, "github", "alice")
	if err != nil || time.Since(start) > 100*time.Millisecond {
		t.Fatalf("after unlock: %v after %v", err, time.Since(start))
	}
	// a holder that dies (never unlocks) blocks the next one for LockTTL
	start = time.Now()
	u3, err := s.LockFor(bg, "github", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 300*time.Millisecond || d > 2*time.Second {
		t.Fatalf("the lease of a dead holder ended after %v, want about LockTTL (400ms)", d)
	}
	u2() // the expired holder's unlock must not remove the new holder's lease
	short2, cancel2 := context.WithTimeout(bg, 100*time.Millisecond)
	defer cancel2()
	if u, err := s.LockFor(short2, "github", "alice"); err == nil {
		u()
		t.Fatal("an expired holder's unlock released the lease of the holder after it")
	}
	u3()
}
