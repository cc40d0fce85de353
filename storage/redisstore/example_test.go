package redisstore_test

import (
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/redisstore"
)

// Every replica of the app makes the same store on the shared Redis.
func ExampleNew() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	store := redisstore.New(client, redisstore.Config{
		Config:          storage.Config{Anonymous: true}, // no app users: key tokens per browser
		Prefix:          "myapp:",
		ExpireWithToken: true,
		MaxTTL:          90 * 24 * time.Hour,
	})
	_ = store // blueprint.SetStorage(store)
}
