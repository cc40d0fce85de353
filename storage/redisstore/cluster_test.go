package redisstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/internal/testenv"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/redisstore"
	"github.com/gindance/gindance/storage/storagetest"
)

// ClusterAddrsEnv names the nodes of a Redis Cluster, comma-separated; .ci/run
// starts one on loopback (.ci/redis-cluster) and sets it.
const clusterAddrsEnv = "GINDANCE_REDIS_CLUSTER_ADDRS"

// newClusterClient connects to the test Redis Cluster through
// redis.NewClusterClient, skipping (failing under CI) when it is not
// configured or not reachable.
func newClusterClient(t testing.TB) *redis.ClusterClient {
	addrs := testenv.Service(t, clusterAddrsEnv, "a Redis Cluster")
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.ForEachShard(ctx, func(ctx context.Context, n *redis.Client) error { return n.Ping(ctx).Err() }); err != nil {
		c.Close()
		testenv.Unavailable(t, "the Redis Cluster", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// The conformance suite (fenced writes, the refresh lock, back-channel
// logout's session index) on a Redis Cluster of three masters: the keys a
// script or a check touches together share a slot, or it fails with
// CROSSSLOT.
func TestClusterConformance(t *testing.T) {
	c := newClusterClient(t)
	storagetest.Run(t, func(t *testing.T) blueprint.Storage {
		return redisstore.New(c, redisstore.Config{Config: storage.Config{User: storagetest.User}, Prefix: uniquePrefix(t, c)})
	})
	t.Run("ConditionalWrites", func(t *testing.T) {
		s := redisstore.New(c, redisstore.Config{Prefix: uniquePrefix(t, c)})
		storagetest.RunConditionalBackend(t, s.Backend().(storage.ConditionalBackend))
	})
}

// The refresh storm on a Redis Cluster: two app instances, each with its
// own cluster client, refresh an expired token once between them.
func TestClusterReplicasRefreshOnce(t *testing.T) {
	storagetest.RunReplicas(t, func(t *testing.T) (a, b blueprint.Storage) {
		ca, cb := newClusterClient(t), newClusterClient(t)
		cfg := redisstore.Config{Config: storage.Config{User: storagetest.User}, Prefix: uniquePrefix(t, ca)}
		return redisstore.New(ca, cfg), redisstore.New(cb, cfg)
	})
}
