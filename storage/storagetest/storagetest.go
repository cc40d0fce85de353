package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

// UserHeader is the request header in which the suite names the user of
// each request.
const UserHeader = "X-Storagetest-User"

// User is the user function a store under test must use
// (storage.Config.User): it returns the value of UserHeader.
func User(c *gin.Context) (string, error) { return c.GetHeader(UserHeader), nil }

// NewStore returns a new, empty store under test whose user function is
// User. It is called once per subtest; it should register cleanup with
// t.Cleanup (drop the table, delete the keys).
type NewStore func(t *testing.T) blueprint.Storage

// Request returns a gin.Context for a request by user, as the suite makes
// them.
func Request(user string) *gin.Context {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("GET", "/", nil)
	if user != "" {
		c.Request.Header.Set(UserHeader, user)
	}
	return c
}

// Run runs the conformance suite against stores made by newStore.
func Run(t *testing.T, newStore NewStore) {
	t.Run("GetMissing", func(t *testing.T) { testGetMissing(t, newStore(t)) })
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, newStore(t)) })
	t.Run("Overwrite", func(t *testing.T) { testOverwrite(t, newStore(t)) })
	t.Run("CopiesNotShared", func(t *testing.T) { testCopiesNotShared(t, newStore(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, newStore(t)) })
	t.Run("UserIsolation", func(t *testing.T) { testUserIsolation(t, newStore(t)) })
	t.Run("ProviderIsolation", func(t *testing.T) { testProviderIsolation(t, newStore(t)) })
	t.Run("LookalikeKeys", func(t *testing.T) { testLookalikeKeys(t, newStore(t)) })
	t.Run("ConcurrentWriters", func(t *testing.T) { testConcurrentWriters(t, newStore(t)) })
	t.Run("LargeToken", func(t *testing.T) { testLargeToken(t, newStore(t)) })
	t.Run("Unicode", func(t *testing.T) { testUnicode(t, newStore(t)) })
	t.Run("Expiry", func(t *testing.T) { testExpiry(t, newStore(t)) })
	t.Run("RefreshLock", func(t *testing.T) {
		s := newStore(t)
		l, ok := s.(blueprint.RefreshLocker)
		if !ok {
			t.Skip("the store is not a blueprint.RefreshLocker")
		}
		testRefreshLock(t, l)
	})
	t.Run("ForgetSession", func(t *testing.T) { testForgetSession(t, newStore(t)) })
	t.Run("LeaseFencing", func(t *testing.T) {
		s := newStore(t)
		ll, ok := s.(blueprint.LeaseLocker)
		if !ok {
			t.Skip("the store is not a blueprint.LeaseLocker")
		}
		testLeaseFencing(t, s, ll)
	})
}

func randomString(n int) string {
	b := make([]byte, n*3/4+3)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// sample returns a token with every field set.
func sample(tag string) *blueprint.Token {
	return &blueprint.Token{
		AccessToken:  "at-" + tag + "-" + randomString(24),
		TokenType:    "Bearer",
		RefreshToken: "rt-" + tag + "-" + randomString(24),
		Expiry:       time.Now().Add(time.Hour).Truncate(time.Second).UTC(),
		TokenSecret:  "ts-" + tag,
		IDToken:      "eyJ." + randomString(40) + ".sig",
		Scopes:       []string{"openid", "email", tag},
		Extra:        map[string]any{"tag": tag, "n": float64(42), "ok": true},
	}
}

func mustGet(t *testing.T, s blueprint.Storage, user, name string) *blueprint.Token {
	t.Helper()
	tok, err := s.Get(Request(user), name)
	if err != nil {
		t.Fatalf("Get(user %q, %q): %v", user, name, err)
	}
	return tok
}

func mustSet(t *testing.T, s blueprint.Storage, user, name string, tok *blueprint.Token) {
	t.Helper()
	if err := s.Set(Request(user), name, tok); err != nil {
		t.Fatalf("Set(user %q, %q): %v", user, name, err)
	}
}

// same compares tokens as a user sees them: expiry to the second, in any
// location.
func same(a, b *blueprint.Token) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	if !x.Expiry.Truncate(time.Second).Equal(y.Expiry.Truncate(time.Second)) {
		return false
	}
	x.Expiry, y.Expiry = time.Time{}, time.Time{}
	if len(x.Scopes) == 0 && len(y.Scopes) == 0 {
		x.Scopes, y.Scopes = nil, nil
	}
	if len(x.Extra) == 0 && len(y.Extra) == 0 {
		x.Extra, y.Extra = nil, nil
	}
	return reflect.DeepEqual(x, y)
}

func expect(t *testing.T, what string, got, want *blueprint.Token) {
	t.Helper()
	if !same(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func testGetMissing(t *testing.T, s blueprint.Storage) {
	if tok := mustGet(t, s, "alice", "github"); tok != nil {
		t.Fatalf("empty store returned %+v, want nil", tok)
	}
}

func testRoundTrip(t *testing.T, s blueprint.Storage) {
	want := sample("rt")
	mustSet(t, s, "alice", "github", want)
	expect(t, "after Set", mustGet(t, s, "alice", "github"), want)

	minimal := &blueprint.Token{AccessToken: "only-this"}
	mustSet(t, s, "bob", "github", minimal)
	got := mustGet(t, s, "bob", "github")
	expect(t, "minimal token", got, minimal)
	if !got.Expiry.IsZero() {
		t.Fatalf("a token without expiry came back with %v", got.Expiry)
	}
}

// testCopiesNotShared: a handler that changes the token it got, or the
// token it stored, changes nothing stored, down to Extra's nested objects;
// and what is read back is what JSON gives (numbers as float64), from any
// backend alike.
func testCopiesNotShared(t *testing.T, s blueprint.Storage) {
	put := sample("copies")
	put.Extra["nested"] = map[string]any{"list": []any{"a", map[string]any{"k": "v"}}}
	put.Extra["int"] = 7
	mustSet(t, s, "alice", "github", put)
	want := put.Clone()
	want.Extra["int"] = float64(7)
	put.Scopes[0], put.Extra["tag"] = "changed-after-set", "changed-after-set"
	put.Extra["nested"].(map[string]any)["list"].([]any)[0] = "changed-after-set"

	got := mustGet(t, s, "alice", "github")
	expect(t, "after the stored token was changed", got, want)
	got.Scopes[0], got.Extra["tag"] = "changed-after-get", "changed-after-get"
	list := got.Extra["nested"].(map[string]any)["list"].([]any)
	list[0] = "changed-after-get"
	list[1].(map[string]any)["k"] = "changed-after-get"
	delete(got.Extra, "ok")
	expect(t, "after a token read was changed", mustGet(t, s, "alice", "github"), want)
}

func testOverwrite(t *testing.T, s blueprint.Storage) {
	first, second := sample("first"), sample("second")
	second.RefreshToken = "" // a replacement without a refresh token drops the old one
	second.Extra = nil
	mustSet(t, s, "alice", "github", first)
	mustSet(t, s, "alice", "github", second)
	expect(t, "after overwrite", mustGet(t, s, "alice", "github"), second)
}

func testDelete(t *testing.T, s blueprint.Storage) {
	mustSet(t, s, "alice", "github", sample("d"))
	if err := s.Delete(Request("alice"), "github"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if tok := mustGet(t, s, "alice", "github"); tok != nil {
		t.Fatalf("after Delete: %+v, want nil", tok)
	}
	if err := s.Delete(Request("alice"), "github"); err != nil {
		t.Fatalf("Delete of nothing: %v, want nil", err)
	}
	// a token can be stored again after a delete
	again := sample("again")
	mustSet(t, s, "alice", "github", again)
	expect(t, "set after delete", mustGet(t, s, "alice", "github"), again)
}

func testUserIsolation(t *testing.T, s blueprint.Storage) {
	a, b := sample("alice"), sample("bob")
	mustSet(t, s, "alice", "github", a)
	if tok := mustGet(t, s, "bob", "github"); tok != nil {
		t.Fatalf("bob sees a token before storing one: %+v", tok)
	}
	mustSet(t, s, "bob", "github", b)
	expect(t, "alice's", mustGet(t, s, "alice", "github"), a)
	expect(t, "bob's", mustGet(t, s, "bob", "github"), b)
	if err := s.Delete(Request("alice"), "github"); err != nil {
		t.Fatal(err)
	}
	expect(t, "bob's after alice's delete", mustGet(t, s, "bob", "github"), b)
}

func testProviderIsolation(t *testing.T, s blueprint.Storage) {
	gh, gg := sample("github"), sample("google")
	mustSet(t, s, "alice", "github", gh)
	if tok := mustGet(t, s, "alice", "google"); tok != nil {
		t.Fatalf("google sees github's token: %+v", tok)
	}
	mustSet(t, s, "alice", "google", gg)
	expect(t, "github", mustGet(t, s, "alice", "github"), gh)
	expect(t, "google", mustGet(t, s, "alice", "google"), gg)
	if err := s.Delete(Request("alice"), "google"); err != nil {
		t.Fatal(err)
	}
	expect(t, "github after google's delete", mustGet(t, s, "alice", "github"), gh)
}

// testLookalikeKeys stores under keys a naive "provider:user" or prefix
// encoding would confuse.
func testLookalikeKeys(t *testing.T, s blueprint.Storage) {
	type key struct{ user, name string }
	keys := []key{
		{"a:b", "gh"}, {"b", "gh:a"}, {"a", "gh:b"},
		{"a b", "gh"}, {"a%20b", "gh"}, {"A", "gh"}, {"a", "gh"},
		{"a*", "gh"}, {"a/b", "gh"}, {"a\\b", "gh"}, {"a'b\"", "gh"},
	}
	toks := make([]*blueprint.Token, len(keys))
	for i, k := range keys {
		toks[i] = sample(fmt.Sprint(i))
		mustSet(t, s, k.user, k.name, toks[i])
	}
	for i, k := range keys {
		expect(t, fmt.Sprintf("user %q provider %q", k.user, k.name), mustGet(t, s, k.user, k.name), toks[i])
	}
}

func testConcurrentWriters(t *testing.T, s blueprint.Storage) {
	const writers, rounds = 8, 10
	var wg sync.WaitGroup
	written := make(map[string]*blueprint.Token)
	var mu sync.Mutex
	var failures atomic.Int32
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				tok := sample(fmt.Sprintf("w%d-r%d", w, r))
				mu.Lock()
				written[tok.AccessToken] = tok
				mu.Unlock()
				if err := s.Set(Request("alice"), "github", tok); err != nil {
					t.Errorf("writer %d: Set: %v", w, err)
					failures.Add(1)
					return
				}
				// a concurrent reader sees some complete token, never a mix
				got, err := s.Get(Request("alice"), "github")
				if err != nil || got == nil {
					t.Errorf("writer %d: Get: %v %v", w, got, err)
					failures.Add(1)
					return
				}
				mu.Lock()
				want := written[got.AccessToken]
				mu.Unlock()
				if !same(got, want) {
					t.Errorf("read a token that no writer wrote whole: %+v", got)
				}
				// each writer's own user keeps its own last token
				own := fmt.Sprintf("user-%d", w)
				if err := s.Set(Request(own), "github", tok); err != nil {
					t.Errorf("writer %d: Set own: %v", w, err)
				}
			}
		})
	}
	wg.Wait()
	if failures.Load() > 0 {
		return
	}
	got := mustGet(t, s, "alice", "github")
	if got == nil || !same(got, written[got.AccessToken]) {
		t.Fatalf("final token %+v is not one that was written", got)
	}
	for w := range writers {
		got := mustGet(t, s, fmt.Sprintf("user-%d", w), "github")
		if got == nil || len(got.Scopes) != 3 || got.Scopes[2] != fmt.Sprintf("w%d-r%d", w, rounds-1) {
			t.Fatalf("writer %d's own user holds %+v, want its last token", w, got)
		}
	}
}

func testLargeToken(t *testing.T, s blueprint.Storage) {
	tok := sample("large")
	tok.AccessToken = randomString(16 << 10)
	tok.IDToken = randomString(16 << 10)
	mustSet(t, s, "alice", "oidc", tok)
	expect(t, "16 KiB token", mustGet(t, s, "alice", "oidc"), tok)
}

func testUnicode(t *testing.T, s blueprint.Storage) {
	tok := sample("ünïcødé")
	tok.AccessToken = "jeton-d’accès-令牌-🔑"
	tok.Extra = map[string]any{"name": "Zoë Ångström 山田太郎 🙂", "rtl": "مرحبا"}
	for _, user := range []string{"zoë@example.test", "山田", "🙂"} {
		mustSet(t, s, user, "github", tok)
		expect(t, "user "+user, mustGet(t, s, user, "github"), tok)
	}
	mustSet(t, s, "plain", "github", sample("plain"))
	if got := mustGet(t, s, "zoe@example.test", "github"); got != nil {
		t.Fatalf("zoe@ (no diaeresis) sees zoë@'s token: the store folds unicode")
	}
}

func testExpiry(t *testing.T, s blueprint.Storage) {
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	exp := time.Date(2031, 7, 14, 23, 59, 58, 987654321, zone)
	tok := &blueprint.Token{AccessToken: "a", Expiry: exp}
	mustSet(t, s, "alice", "github", tok)
	got := mustGet(t, s, "alice", "github")
	if got == nil || !got.Expiry.Truncate(time.Second).Equal(exp.Truncate(time.Second)) {
		t.Fatalf("expiry %v came back as %v", exp, got)
	}
	if got.Expired(exp.Add(-2*time.Second), 0) || !got.Expired(exp.Add(time.Second), 0) {
		t.Fatalf("Expired around %v wrong for %v", exp, got.Expiry)
	}
	past := &blueprint.Token{AccessToken: "b", RefreshToken: "r", Expiry: time.Now().Add(-time.Hour).Truncate(time.Second)}
	mustSet(t, s, "bob", "github", past)
	if got := mustGet(t, s, "bob", "github"); got == nil || !got.Expired(time.Now(), 0) {
		t.Fatalf("an expired token with a refresh token must still be returned (to refresh it): %+v", got)
	}
}

func testRefreshLock(t *testing.T, l blueprint.RefreshLocker) {
	lock := func(ctx context.Context, user, name string) (func(), error) {
		return l.LockRefresh(ctx, Request(user), name)
	}
	bg := context.Background()
	unlock, err := lock(bg, "alice", "github")
	if err != nil {
		t.Fatalf("LockRefresh: %v", err)
	}

	// held: a second taker waits, and gives up when its context ends
	short, cancel := context.WithTimeout(bg, 200*time.Millisecond)
	start := time.Now()
	if u, err := lock(short, "alice", "github"); err == nil {
		u()
		cancel()
		t.Fatal("a second LockRefresh of the same token succeeded while the first held it")
	}
	cancel()
	if waited := time.Since(start); waited > 3*time.Second {
		t.Fatalf("LockRefresh waited %v for a context of 200ms", waited)
	}

	// other users and providers are not blocked
	for _, k := range [][2]string{{"bob", "github"}, {"alice", "google"}} {
		ctx, cancel := context.WithTimeout(bg, 2*time.Second)
		u, err := lock(ctx, k[0], k[1])
		cancel()
		if err != nil {
			t.Fatalf("LockRefresh(%s, %s) blocked by alice/github: %v", k[0], k[1], err)
		}
		u()
	}

	// a waiter gets the lock once it is released
	got := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(bg, 5*time.Second)
		defer cancel()
		u, err := lock(ctx, "alice", "github")
		if err == nil {
			u()
		}
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("waiter after unlock: %v", err)
	}

	// exclusion under contention: no two holders at once
	var holders, maxHolders atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(bg, 20*time.Second)
			defer cancel()
			u, err := lock(ctx, "carol", "github")
			if err != nil {
				t.Errorf("contended LockRefresh: %v", err)
				return
			}
			n := holders.Add(1)
			for {
				m := maxHolders.Load()
				if n <= m || maxHolders.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			holders.Add(-1)
			u()
		})
	}
	wg.Wait()
	if m := maxHolders.Load(); m != 1 {
		t.Fatalf("%d holders of one lock at once, want 1", m)
	}
}
