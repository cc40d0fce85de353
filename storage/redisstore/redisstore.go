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
	b := &backend{client: client, cfg: cfg, deadlines: honoursDeadlines(client)}
	return &Store{Store: storage.New(b, cfg.Config), backend: b}
}

// TokenKey returns the Redis key of the token of provider and user key.
func (s *Store) TokenKey(provider, user string) string {
	return s.backend.key("token:", storage.Key{Provider: provider, User: user})
}

type backend struct {
	client redis.UniversalClient
	cfg    Config
	// deadlines: the client stops a command at its context's deadline
	// (see bounded)
	deadlines bool
}

func (b *backend) key(kind string, k storage.Key) string {
	return b.cfg.Prefix + kind + url.QueryEscape(k.Provider) + ":" + url.QueryEscape(k.User)
}

// refsKey is the key of k's session references. Its hash tag is the token
// key's slot tag, so that in a Redis Cluster both keys live in one slot and
// one script can write or delete them together (a script touching keys of
// two slots fails with CROSSSLOT). The token key keeps the name it always
// had; references saved by versions before this one are under legacyRefsKey.
func (b *backend) refsKey(k storage.Key) string {
	return b.cfg.Prefix + "refs:{" + slotTag(b.key("token:", k)) + "}"
}

// legacyRefsKey is where versions before the hash-tagged refsKey kept k's
// session references. Save and Remove delete it; RemoveSession still reads
// it for tokens not saved since.
func (b *backend) legacyRefsKey(k storage.Key) string { return b.key("refs:", k) }

// slotTag is the part of key Redis Cluster hashes to pick its slot: the
// text between the first "{" and the first "}" after it when that is not
// empty, else the whole key.
func slotTag(key string) string {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			return key[i+1 : i+1+j]
		}
	}
	return key
}

// Load returns the token bytes of k, or nil, nil.
func (b *backend) Load(ctx context.Context, k storage.Key) ([]byte, error) {
	return bounded(b, ctx, func(ctx context.Context) ([]byte, error) {
		data, err := b.client.Get(ctx, b.key("token:", k)).Bytes()
		if errors.Is(err, redis.Nil) {
			return nil, nil
		}
		return data, b.failed(err)
	})
}

// failed returns err, having asked a cluster client to reload its map of
// slots when err is not nil: after a failover go-redis keeps sending a
// slot's commands to the dead master (a refused connection is retried on
// the same map) until its periodic reload, about 10 s later; the reload
// runs in the background, and the next command finds the promoted replica.
func (b *backend) failed(err error) error {
	if err != nil && !errors.Is(err, redis.Nil) {
		if cc, ok := b.client.(*redis.ClusterClient); ok {
			cc.ReloadState(context.Background())
		}
	}
	return err
}

// Save replaces the token of k, with the expiry the config asks for; a
// token with an id_token is indexed by its session first (see
// RemoveSession). The token and its references are written by one script
// (same slot, see refsKey), all in one round trip.
func (b *backend) Save(ctx context.Context, k storage.Key, data []byte, tok *blueprint.Token) error {
	_, err := bounded(b, ctx, func(ctx context.Context) (bool, error) { return b.save(ctx, k, nil, data, tok) })
	return err
}

// SaveIf is Save made only if the token bytes stored under k are old, in
// the same script (storage.ConditionalBackend).
func (b *backend) SaveIf(ctx context.Context, k storage.Key, old, data []byte, tok *blueprint.Token) (bool, error) {
	return bounded(b, ctx, func(ctx context.Context) (bool, error) { return b.save(ctx, k, old, data, tok) })
}

// saveScript sets the token KEYS[1] to ARGV[2] and its references KEYS[2]
// to ARGV[3] (deleted when empty), with a lifetime of ARGV[4] ms (0: none),
// if ARGV[5] is "1" or the token holds ARGV[1]; 1 when it wrote, else 0.
var saveScript = redis.NewScript(`
if ARGV[5] ~= "1" and redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[4])
local function set(key, value)
	if ttl > 0 then redis.call("SET", key, value, "PX", ttl) else redis.call("SET", key, value) end
end
if ARGV[3] == "" then redis.call("DEL", KEYS[2]) else set(KEYS[2], ARGV[3]) end
set(KEYS[1], ARGV[2])
return 1`)

// save writes k's token and references: always when old is nil, else only
// if the stored token bytes are old.
func (b *backend) save(ctx context.Context, k storage.Key, old, data []byte, tok *blueprint.Token) (bool, error) {
	refs := storage.RefsOf(tok)
	ttl := b.ttl(tok)
	pipe := b.client.Pipeline()
	refsValue := ""
	if refs != (storage.SessionRefs{}) {
		refsValue = refs.SID + " " + refs.Sub
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
	}
	always := "0"
	if old == nil {
		always = "1"
	}
	// Eval, not EvalSha: in a pipeline a NOSCRIPT answer comes too late to
	// fall back on
	wrote := saveScript.Eval(ctx, pipe, []string{b.key("token:", k), b.refsKey(k)},
		old, data, refsValue, ttl.Milliseconds(), always)
	pipe.Del(ctx, b.legacyRefsKey(k))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return false, b.failed(err)
	}
	n, err := wrote.Int()
	return n == 1, err
}

// sessionKey is the set of user keys whose token of provider was saved
// with the session reference ref.
func (b *backend) sessionKey(provider, ref string) string {
	return b.cfg.Prefix + "session:" + url.QueryEscape(provider) + ":" + ref
}

// RemoveSession deletes the tokens of provider indexed under ref whose
// current references still include it (a user who logged in again since
// keeps the new token), and drops them from the index. For each token the
// check and the delete are one script; references saved by earlier
// versions (legacyRefsKey) are checked, then deleted.
func (b *backend) RemoveSession(ctx context.Context, provider, ref string) (int, error) {
	return bounded(b, ctx, func(ctx context.Context) (int, error) { return b.removeSession(ctx, provider, ref) })
}

func (b *backend) removeSession(ctx context.Context, provider, ref string) (int, error) {
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
		got, err := removeSessionScript.Run(ctx, b.client, []string{b.key("token:", k), b.refsKey(k)}, ref).Int()
		if err != nil {
			return n, err
		}
		if got < 0 { // no references under refsKey: a token saved before it
			cur, err := b.client.Get(ctx, b.legacyRefsKey(k)).Result()
			if err != nil && !errors.Is(err, redis.Nil) {
				return n, err
			}
			if slices.Contains(strings.Fields(cur), ref) {
				if err := b.remove(ctx, k); err != nil {
					return n, err
				}
				got = 1
			}
		}
		n += max(got, 0)
		if err := b.client.SRem(ctx, set, u).Err(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// removeSessionScript deletes the token KEYS[1] and its references KEYS[2]
// if the references include ARGV[1]: 1 when it deleted, 0 when they do not
// include it, -1 when there are none.
var removeSessionScript = redis.NewScript(`
local refs = redis.call("GET", KEYS[2])
if not refs then return -1 end
for r in string.gmatch(refs, "%S+") do
	if r == ARGV[1] then
		redis.call("DEL", KEYS[1], KEYS[2])
		return 1
	end
end
return 0`)

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

// Remove deletes the token of k and its session references.
func (b *backend) Remove(ctx context.Context, k storage.Key) error {
	_, err := bounded(b, ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, b.remove(ctx, k) })
	return err
}

func (b *backend) remove(ctx context.Context, k storage.Key) error {
	// the token and refsKey share a slot; legacyRefsKey may be in another
	pipe := b.client.Pipeline()
	pipe.Del(ctx, b.key("token:", k), b.refsKey(k))
	pipe.Del(ctx, b.legacyRefsKey(k))
	_, err := pipe.Exec(ctx)
	return b.failed(err)
}

// RemoveIf deletes the token of k and its session references if the token
// bytes are old, in one script (storage.ConditionalBackend).
func (b *backend) RemoveIf(ctx context.Context, k storage.Key, old []byte) (bool, error) {
	return bounded(b, ctx, func(ctx context.Context) (bool, error) {
		n, err := removeIfScript.Run(ctx, b.client, []string{b.key("token:", k), b.refsKey(k)}, old).Int()
		if err != nil || n != 1 {
			return false, b.failed(err)
		}
		return true, b.failed(b.client.Del(ctx, b.legacyRefsKey(k)).Err())
	})
}

// removeIfScript deletes the token KEYS[1] and its references KEYS[2] if
// the token holds ARGV[1]: 1 when it deleted, else 0.
var removeIfScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
redis.call("DEL", KEYS[1], KEYS[2])
return 1`)

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
		ok, err := bounded(b, ctx, func(ctx context.Context) (bool, error) { return b.client.SetNX(ctx, key, val, ttl).Result() })
		if err != nil {
			return nil, nil, b.failed(err)
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
				// on failure, the lock expires after ttl
				_, _ = bounded(b, rctx, func(ctx context.Context) (any, error) {
					return nil, release.Run(ctx, b.client, []string{key}, val).Err()
				})
			})
		}, func(ctx context.Context) error {
			got, err := bounded(b, ctx, func(ctx context.Context) (string, error) { return b.client.Get(ctx, key).Result() })
			if err == nil && got != val {
				err = errLockLost
			}
			return b.failed(err)
		}, nil
}

var errLockLost = errors.New("gindance/redisstore: the refresh lock expired or was lost")
