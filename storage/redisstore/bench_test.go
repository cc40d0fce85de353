package redisstore_test

import (
	"context"
	"testing"

	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/redisstore"
	"github.com/gindance/gindance/storage/storagetest"
)

// BenchmarkStoreVsRaw compares Get and Set with one GET and one SET of the
// same bytes through the same client.
func BenchmarkStoreVsRaw(b *testing.B) {
	c := newClient(b)
	prefix := uniquePrefix(b, c)
	s := redisstore.New(c, redisstore.Config{Config: storage.Config{User: storagetest.User}, Prefix: prefix})
	key := prefix + "raw"
	storagetest.BenchmarkAgainstRaw(b, s, storagetest.Raw{
		Get: func(ctx context.Context) error { return c.Get(ctx, key).Err() },
		Set: func(ctx context.Context, data []byte) error { return c.Set(ctx, key, data, 0).Err() },
	})
}
