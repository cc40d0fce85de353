package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
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
// SET.
func (b *backend) Save(ctx context.Context, k storage.Key, data []byte, tok *blueprint.Token) error {
	return b.client.Set(ctx, b.key("token:", k), data, b.ttl(tok)).Err()
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

// Remove deletes the token of k.
func (b *backend) Remove(ctx context.Context, k storage.Key) error {
	return b.client.Del(ctx, b.key("token:", k)).Err()
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
