package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
)

// DefaultPrefix starts every key when Config.Prefix is empty.
const DefaultPrefix = "gindance:"

// Config configures a Store.
type Config struct {
	// Config is the user function, anonymous mode, sealer, timeouts.
	storage.Config
	// Prefix starts every key. Default DefaultPrefix.
	Prefix string
	// ExpireWithToken makes a token without a refresh token expire from
	// Redis when the token itself expires. Tokens that can be refreshed
	// stay (up to MaxTTL): their refresh token outlives the access token.
	ExpireWithToken bool
	// MaxTTL, when positive, is the longest any token key lives: a user
	// who has not logged in or refreshed for that long logs in again.
	MaxTTL time.Duration
}

// Store is a token store in Redis: a blueprint.Storage and
// blueprint.RefreshLocker through the embedded *storage.Store.
type Store struct {
	*storage.Store
	backend *backend
}

// New returns a store keeping tokens in the Redis that client talks to
// (a *redis.Client, *redis.ClusterClient or *redis.Ring).
func New(client redis.UniversalClient, cfg Config) *Store {
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	b := &backend{client: client, cfg: cfg}
	return &Store{Store: storage.New(b, cfg.Config), backend: b}
}

// TokenKey returns the Redis key of the token of provider and user key.
func (s *Store) TokenKey(provider, user string) string {
	return s.backend.key("token:", storage.Key{Provider: provider, User: user})
}

type backend struct {
	client redis.UniversalClient
	cfg    Config
}

func (b *backend) key(kind string, k storage.Key) string {
	return b.cfg.Prefix + kind + url.QueryEscape(k.Provider) + ":" + url.QueryEscape(k.User)
}

// Load returns the token bytes of k, or nil, nil.
func (b *backend) Load(ctx context.Context, k storage.Key) ([]byte, error) {
	data, err := b.client.Get(ctx, b.key("token:", k)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return data, err
}

// Save replaces the token of k, with the expiry the config asks for, in one
// SET; a token with an id_token is indexed by its session first (see
// RemoveSession), in the same round trip.
func (b *backend) Save(ctx context.Context, k storage.Key, data []byte, tok *blueprint.Token) error {
	refs := storage.RefsOf(tok)
	if refs == (storage.SessionRefs{}) {
		pipe := b.client.Pipeline()
		pipe.Del(ctx, b.key("refs:", k))
		pipe.Set(ctx, b.key("token:", k), data, b.ttl(tok))
		_, err := pipe.Exec(ctx)
		return err
	}
	ttl := b.ttl(tok)
	pipe := b.client.Pipeline()
	pipe.Set(ctx, b.key("refs:", k), refs.SID+" "+refs.Sub, ttl)
	for _, r := range []string{refs.SID, refs.Sub} {
		if r == "" {
			continue
		}
		set := b.sessionKey(k.Provider, r)
		pipe.SAdd(ctx, set, k.User)
		if b.cfg.MaxTTL > 0 {
			pipe.Expire(ctx, set, b.cfg.MaxTTL)
		}
	}
	pipe.Set(ctx, b.key("token:", k), data, ttl)
	_, err := pipe.Exec(ctx)
	return err
}

// sessionKey is the set of user keys whose token of provider was saved
// with the session reference ref.
func (b *backend) sessionKey(provider, ref string) string {
	return b.cfg.Prefix + "session:" + url.QueryEscape(provider) + ":" + ref
}

// RemoveSession deletes the tokens of provider indexed under ref whose
// current references still include it (a user who logged in again since
// keeps the new token), and drops them from the index.
func (b *backend) RemoveSession(ctx context.Context, provider, ref string) (int, error) {
	if ref == "" {
		return 0, nil
	}
	set := b.sessionKey(provider, ref)
	users, err := b.client.SMembers(ctx, set).Result()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range users {
		k := storage.Key{Provider: provider, User: u}
		cur, err := b.client.Get(ctx, b.key("refs:", k)).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return n, err
		}
		if slices.Contains(strings.Fields(cur), ref) {
			if err := b.Remove(ctx, k); err != nil {
				return n, err
			}
			n++
		}
		if err := b.client.SRem(ctx, set, u).Err(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// ttl is the key lifetime for tok; 0 is none.
func (b *backend) ttl(tok *blueprint.Token) time.Duration {
	var ttl time.Duration
	if b.cfg.ExpireWithToken && tok != nil && tok.RefreshToken == "" && !tok.Expiry.IsZero() {
		ttl = time.Until(tok.Expiry)
		if ttl < time.Second {
			ttl = time.Second // already useless; keep it briefly rather than forever
		}
	}
	if b.cfg.MaxTTL > 0 && (ttl == 0 || ttl > b.cfg.MaxTTL) {
		ttl = b.cfg.MaxTTL
	}
	return ttl
}

// Remove deletes the token of k (and its session references).
func (b *backend) Remove(ctx context.Context, k storage.Key) error {
	// one DEL per key: in a cluster they may live in different slots
	pipe := b.client.Pipeline()
	pipe.Del(ctx, b.key("refs:", k))
	pipe.Del(ctx, b.key("token:", k))
	_, err := pipe.Exec(ctx)
	return err
}

// release deletes the lock only when it still holds the holder's value.
var release = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// Lock takes the refresh lock of k with SET NX PX ttl, polling until ctx
// is done.
func (b *backend) Lock(ctx context.Context, k storage.Key, ttl time.Duration) (func(), error) {
	unlock, _, err := b.LockChecked(ctx, k, ttl)
	return unlock, err
}

// LockChecked is Lock, and held reports an error once the lock key no
// longer holds this holder's value (it expired, or Redis lost it).
func (b *backend) LockChecked(ctx context.Context, k storage.Key, ttl time.Duration) (func(), func(context.Context) error, error) {
	key := b.key("lock:", k)
	rb := make([]byte, 18)
	rand.Read(rb)
	val := base64.RawURLEncoding.EncodeToString(rb)
	wait := 5 * time.Millisecond
	for {
		ok, err := b.client.SetNX(ctx, key, val, ttl).Result()
		if err != nil {
			return nil, nil, err
		}
		if ok {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, nil, fmt.Errorf("gindance/redisstore: waiting for the refresh lock: %w", ctx.Err())
		case <-t.C:
		}
		wait = min(wait*2, 100*time.Millisecond)
	}
	var once sync.Once
	return func() {
			once.Do(func() {
				rctx, cancel := context.WithTimeout(context.Background(), storage.DefaultTimeout)
				defer cancel()
				_ = release.Run(rctx, b.client, []string{key}, val).Err() // on failure, the lock expires after ttl
			})
		}, func(ctx context.Context) error {
			got, err := b.client.Get(ctx, key).Result()
			if err == nil && got != val {
				err = errLockLost
			}
			return err
		}, nil
}

var errLockLost = errors.New("gindance/redisstore: the refresh lock expired or was lost")
