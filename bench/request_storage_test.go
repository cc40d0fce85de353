package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
	"github.com/gindance/gindance/storage/redisstore"
	"github.com/gindance/gindance/storage/sqlstore"
	"github.com/gindance/gindance/storage/sqlstore/sqlite"
)

// benchUser is the app's user of every server-side storage case: one user,
// as a logged-in browser is one user.
const benchUser = "bench-user"

func benchUserFunc(*gin.Context) (string, error) { return benchUser, nil }

// uniqueSuffix is a random name part, so that concurrent runs sharing a
// database or a Redis never see each other's tokens.
func uniqueSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// seedFor seeds a server-side store for benchUser.
func seedFor(s *storage.Store) func(bp *blueprint.Blueprint, tok *blueprint.Token) error {
	return func(bp *blueprint.Blueprint, tok *blueprint.Token) error {
		return s.SetFor(context.Background(), bp.Name(), benchUser, tok)
	}
}

// memoryStoreCase keeps the token in storage/memory, the production store
// in the process's memory (gintest.MemoryStorage, the "memory" case, is the
// test helper): the bytes a shared store would hold, in a map.
func memoryStoreCase(tb testing.TB) (*requestCase, string) {
	s := memory.New(storage.Config{User: benchUserFunc})
	rc, err := storageCase(s, seedFor(s))
	if err != nil {
		tb.Fatalf("memory: seeding: %v", err)
	}
	return rc, ""
}

// sqliteCase (c) keeps the token in storage/sqlstore on a SQLite file in a
// temporary directory, in a table of its own: every request is one SELECT.
func sqliteCase(tb testing.TB) (*requestCase, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := sqlite.New(ctx, filepath.Join(tb.TempDir(), "tokens.db"), sqlstore.Config{
		Config: storage.Config{User: benchUserFunc},
		Table:  "bench_tokens_" + uniqueSuffix(),
	})
	if err != nil {
		tb.Fatalf("sqlite: %v", err)
	}
	tb.Cleanup(func() {
		s.DB().Exec("DROP TABLE " + s.Table())
		s.DB().Close()
	})
	rc, err := storageCase(s, seedFor(s.Store))
	if err != nil {
		tb.Fatalf("sqlite: seeding: %v", err)
	}
	return rc, ""
}

// redisAddr is the Redis of case (d): GINDANCE_REDIS_ADDR, default the
// local one.
func redisAddr() string {
	if a := os.Getenv("GINDANCE_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// redisCase (d) keeps the token in storage/redisstore under a key prefix of
// its own, deleted at cleanup: every request is one GET. It returns why it
// cannot run when Redis is not reachable.
func redisCase(tb testing.TB) (*requestCase, string) {
	addr := redisAddr()
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err != nil {
		return nil, "Redis not reachable at " + addr + " (set GINDANCE_REDIS_ADDR): " + err.Error()
	} else {
		conn.Close()
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, "Redis not reachable at " + addr + " (set GINDANCE_REDIS_ADDR): " + err.Error()
	}
	prefix := "gindance-bench:" + uniqueSuffix() + ":"
	tb.Cleanup(func() { deletePrefix(c, prefix); c.Close() })
	s := redisstore.New(c, redisstore.Config{Config: storage.Config{User: benchUserFunc}, Prefix: prefix})
	rc, err := storageCase(s, seedFor(s.Store))
	if err != nil {
		tb.Fatalf("redis: seeding: %v", err)
	}
	return rc, ""
}

// deletePrefix deletes the keys under a bench case's prefix, a SCAN page
// (up to a few thousand keys) per UNLINK: the curves leave a million.
func deletePrefix(c *redis.Client, prefix string) {
	ctx := context.Background()
	var cursor uint64
	for {
		keys, next, err := c.Scan(ctx, cursor, prefix+"*", 5000).Result()
		if err != nil {
			return
		}
		if len(keys) > 0 {
			c.Unlink(ctx, keys...)
		}
		if cursor = next; cursor == 0 {
			return
		}
	}
}
