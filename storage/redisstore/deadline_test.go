package redisstore_test

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/redisstore"
	"github.com/gindance/gindance/storage/storagetest"
)

// silentRedis accepts connections and reads from them, but never answers:
// a Redis that hangs (a failover in progress, a stopped process, a network
// that drops replies). Its connections close with the test.
func silentRedis(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() {
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// storage.Config.Timeout bounds each Redis call whether or not the go-redis
// client honours context deadlines (ContextTimeoutEnabled): without it, a
// command would wait for the client's ReadTimeout (here 20 s), far past
// the store's Timeout and the refresh lease's budget, which counts on it.
func TestTimeoutBoundsEveryCallToARedisThatDoesNotAnswer(t *testing.T) {
	for _, contextDeadlines := range []bool{false, true} {
		name := map[bool]string{false: "client ignores context deadlines", true: "ContextTimeoutEnabled"}[contextDeadlines]
		t.Run(name, func(t *testing.T) {
			client := redis.NewClient(&redis.Options{Addr: silentRedis(t), ReadTimeout: 20 * time.Second,
				WriteTimeout: 20 * time.Second, MaxRetries: -1, ContextTimeoutEnabled: contextDeadlines})
			t.Cleanup(func() { client.Close() })
			const timeout = 200 * time.Millisecond
			s := redisstore.New(client, redisstore.Config{Config: storage.Config{User: storagetest.User, Timeout: timeout}})
			c := storagetest.Request("user-1")
			for op, call := range map[string]func() error{
				"get":    func() error { _, err := s.Get(c, "fake"); return err },
				"set":    func() error { return s.Set(c, "fake", &blueprint.Token{AccessToken: "a", TokenType: "Bearer"}) },
				"delete": func() error { return s.Delete(c, "fake") },
			} {
				start := time.Now()
				err := call()
				took := time.Since(start)
				if !errors.Is(err, storage.ErrStoreUnavailable) {
					t.Errorf("%s against a Redis that does not answer: %v, want ErrStoreUnavailable", op, err)
				}
				// far below the client's 20 s ReadTimeout; the margin is for a
				// loaded machine, not a speed goal
				if took > 5*time.Second {
					t.Errorf("%s took %v: the store's Timeout %v did not bound it", op, took, timeout)
				}
			}
		})
	}
}
