package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/internal/testenv"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/redisstore"
	"github.com/gindance/gindance/storage/storagetest"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	m.Run()
}

// newClient connects to the test Redis, skipping (failing under CI) when it
// is not configured or not reachable.
func newClient(t testing.TB) *redis.Client {
	addr := testenv.Service(t, "GINDANCE_REDIS_ADDR", "Redis")
	c := redis.NewClient(&redis.Options{Addr: addr})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		testenv.Unavailable(t, "Redis", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// uniquePrefix returns a key prefix no other test uses; its keys are deleted
// at cleanup.
func uniquePrefix(t testing.TB, c redis.UniversalClient) string {
	b := make([]byte, 6)
	rand.Read(b)
	prefix := "gindance-test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		del := func(ctx context.Context, n *redis.Client) error {
			iter := n.Scan(ctx, 0, prefix+"*", 100).Iterator()
			for iter.Next(ctx) {
				n.Del(ctx, iter.Val())
			}
			return nil
		}
		switch c := c.(type) {
		case *redis.Client:
			del(ctx, c)
		case *redis.ClusterClient: // each master holds its own slots
			c.ForEachMaster(ctx, del)
		}
	})
	return prefix
}

func TestConformance(t *testing.T) {
	c := newClient(t)
	storagetest.Run(t, func(t *testing.T) blueprint.Storage {
		return redisstore.New(c, redisstore.Config{Config: storage.Config{User: storagetest.User}, Prefix: uniquePrefix(t, c)})
	})
}

// Two app instances, each with its own Redis client, sharing one Redis
// refresh an expired token exactly once between them.
func TestReplicasRefreshOnce(t *testing.T) {
	storagetest.RunReplicas(t, func(t *testing.T) (a, b blueprint.Storage) {
		ca, cb := newClient(t), newClient(t)
		cfg := redisstore.Config{Config: storage.Config{User: storagetest.User}, Prefix: uniquePrefix(t, ca)}
		return redisstore.New(ca, cfg), redisstore.New(cb, cfg)
	})
}

// A background job (ClientFor) and requests on two instances sharing Redis
// refresh an expired token exactly once between them.
func TestReplicasWithJobRefreshOnce(t *testing.T) {
	storagetest.RunReplicasWithJob(t, func(t *testing.T) (a, b blueprint.Storage) {
		ca, cb := newClient(t), newClient(t)
		cfg := redisstore.Config{Config: storage.Config{User: storagetest.User}, Prefix: uniquePrefix(t, ca)}
		return redisstore.New(ca, cfg), redisstore.New(cb, cfg)
	})
}

func TestExpireWithToken(t *testing.T) {
	c := newClient(t)
	ctx := context.Background()
	s := redisstore.New(c, redisstore.Config{Prefix: uniquePrefix(t, c), ExpireWithToken: true, MaxTTL: 24 * time.Hour})
	exp := time.Now().Add(10 * time.Minute)
	_ = s.SetFor(ctx, "github", "no-refresh", &blueprint.Token{AccessToken: "a", Expiry: exp})
	_ = s.SetFor(ctx, "github", "refreshable", &blueprint.Token{AccessToken: "a", RefreshToken: "r", Expiry: exp})
	_ = s.SetFor(ctx, "github", "forever", &blueprint.Token{AccessToken: "a"})
	for user, want := range map[string]time.Duration{"no-refresh": 10 * time.Minute, "refreshable": 24 * time.Hour, "forever": 24 * time.Hour} {
		ttl := c.PTTL(ctx, s.TokenKey("github", user)).Val()
		if ttl <= want-time.Minute || ttl > want {
			t.Errorf("%s: TTL %v, want about %v", user, ttl, want)
		}
	}
	// without the options, keys do not expire, and a new token clears an old TTL
	plain := redisstore.New(c, redisstore.Config{Prefix: uniquePrefix(t, c)})
	_ = plain.SetFor(ctx, "github", "u", &blueprint.Token{AccessToken: "a", Expiry: exp})
	if ttl := c.PTTL(ctx, plain.TokenKey("github", "u")).Val(); ttl != -1 {
		t.Errorf("TTL without ExpireWithToken: %v, want none", ttl)
	}
	short := redisstore.New(c, redisstore.Config{Prefix: uniquePrefix(t, c), ExpireWithToken: true})
	_ = short.SetFor(ctx, "github", "gone", &blueprint.Token{AccessToken: "a", Expiry: time.Now().Add(-time.Hour)})
	time.Sleep(1200 * time.Millisecond)
	if tok, err := short.GetFor(ctx, "github", "gone"); tok != nil || err != nil {
		t.Errorf("an expired, unrefreshable token is still there: %v %v", tok, err)
	}
}

func TestLockHeldTooLongExpires(t *testing.T) {
	c := newClient(t)
	cfg := redisstore.Config{Config: storage.Config{LockTTL: time.Second}, Prefix: uniquePrefix(t, c)}
	a, b := redisstore.New(c, cfg), redisstore.New(newClient(t), cfg)
	if _, err := a.LockFor(context.Background(), "github", "alice"); err != nil {
		t.Fatal(err)
	} // never unlocked: a crashed holder
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	unlock, err := b.LockFor(ctx, "github", "alice")
	if err != nil {
		t.Fatalf("after the TTL: %v", err)
	}
	defer unlock()
	if d := time.Since(start); d < 500*time.Millisecond || d > 3*time.Second {
		t.Fatalf("got the lock after %v, want about the 1s TTL", d)
	}
}

// A holder whose lock expired and was taken by another must not release the
// other's lock.
func TestUnlockReleasesOnlyItsOwnLock(t *testing.T) {
	c := newClient(t)
	cfg := redisstore.Config{Config: storage.Config{LockTTL: 300 * time.Millisecond}, Prefix: uniquePrefix(t, c)}
	s := redisstore.New(c, cfg)
	ctx := context.Background()
	stale, err := s.LockFor(ctx, "github", "alice")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	cur, err := s.LockFor(ctx, "github", "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer cur()
	stale() // late unlock by the first holder
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if u, err := s.LockFor(short, "github", "alice"); err == nil {
		u()
		t.Fatal("the stale unlock released the current holder's lock")
	}
}

func TestRedisDownIsUnavailable(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	s := redisstore.New(c, redisstore.Config{Config: storage.Config{User: storagetest.User}})
	if _, err := s.Get(storagetest.Request("alice"), "github"); !errors.Is(err, storage.ErrStoreUnavailable) {
		t.Fatalf("Get: %v, want ErrStoreUnavailable", err)
	}
	if err := s.Set(storagetest.Request("alice"), "github", &blueprint.Token{AccessToken: "a"}); !errors.Is(err, storage.ErrStoreUnavailable) {
		t.Fatalf("Set: %v, want ErrStoreUnavailable", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := s.LockRefresh(ctx, storagetest.Request("alice"), "github"); !errors.Is(err, storage.ErrStoreUnavailable) {
		t.Fatalf("LockRefresh: %v, want ErrStoreUnavailable", err)
	}
}

// SaveIf and RemoveIf are compare-and-set, each one script
// (storage.ConditionalBackend).
func TestConditionalWritesAreAtomic(t *testing.T) {
	c := newClient(t)
	s := redisstore.New(c, redisstore.Config{Prefix: uniquePrefix(t, c)})
	storagetest.RunConditionalBackend(t, s.Backend().(storage.ConditionalBackend))
}

// Session references saved by a version before the hash-tagged refs key
// (under "<prefix>refs:<provider>:<user>") still let back-channel logout
// find and forget the token; a save moves them to the new key.
func TestLegacySessionRefsStillForgotten(t *testing.T) {
	c := newClient(t)
	prefix := uniquePrefix(t, c)
	s := redisstore.New(c, redisstore.Config{Prefix: prefix})
	ctx := context.Background()
	const iss = "https://op.example"
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"` + iss + `","sub":"sub-ann","sid":"s1"}`))
	tok := &blueprint.Token{AccessToken: "a", TokenType: "Bearer", IDToken: "eyJhbGciOiJSUzI1NiJ9." + payload + ".c2ln"}
	if err := s.SetFor(ctx, "idp", "ann", tok); err != nil {
		t.Fatal(err)
	}
	// as an earlier version left it: the references under the legacy key
	newKey := prefix + "refs:{" + s.TokenKey("idp", "ann") + "}"
	refs, err := c.Get(ctx, newKey).Result()
	if err != nil {
		t.Fatalf("the references under %s: %v", newKey, err)
	}
	c.Del(ctx, newKey)
	c.Set(ctx, prefix+"refs:idp:ann", refs, 0)
	if n, err := s.ForgetSession(ctx, "idp", iss, "s1", ""); err != nil || n != 1 {
		t.Fatalf("ForgetSession with legacy references: %d, %v; want 1", n, err)
	}
	if got, err := s.GetFor(ctx, "idp", "ann"); err != nil || got != nil {
		t.Fatalf("the token after ForgetSession: %v, %v", got, err)
	}
	if n := c.Exists(ctx, prefix+"refs:idp:ann").Val(); n != 0 {
		t.Fatal("the legacy references outlived the token")
	}
}
