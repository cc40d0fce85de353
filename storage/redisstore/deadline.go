package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// honoursDeadlines reports whether client stops a command at its context's
// deadline. go-redis does only when its options set ContextTimeoutEnabled;
// otherwise a command waits for the client's ReadTimeout and WriteTimeout
// (5 s by default) whatever the context says. A client of another
// type is taken not to.
func honoursDeadlines(client redis.UniversalClient) bool {
	switch c := client.(type) {
	case *redis.Client:
		return c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		return c.Options().ContextTimeoutEnabled
	}
	return false
}

// bounded runs fn, one backend operation, and returns no later than ctx's
// deadline: storage.Config.Timeout bounds every Redis call, and the refresh
// lease's budget counts on it. With a client that ignores deadlines, fn
// runs in a goroutine that, at the deadline, is left to finish on its own
// (within the client's read and write timeouts), its result discarded: as
// with a client that honours them, a command already sent may still take
// effect, which the callers allow for (a lock or lease it took expires, a
// conditional write it made is one the holder was entitled to).
func bounded[T any](b *backend, ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	if _, ok := ctx.Deadline(); b.deadlines || !ok {
		return fn(ctx)
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("gindance/redisstore: no answer before the deadline (storage.Config.Timeout): %w", context.Cause(ctx))
	}
}
