package faults_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/internal/testenv"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/redisstore"
	"github.com/gindance/gindance/storage/storagetest"
)

// The Redis Cluster .ci/run starts (.ci/redis-cluster): its nodes, and the
// variable that lets a test kill one of its masters.
const (
	clusterAddrsEnv    = "GINDANCE_REDIS_CLUSTER_ADDRS"
	clusterFailoverEnv = "GINDANCE_REDIS_CLUSTER_FAILOVER"
)

func clusterClient(t *testing.T, addrs string) *redis.ClusterClient {
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")})
	t.Cleanup(func() { c.Close() })
	return c
}

// clusterNode is a node of the test cluster, as INFO reports it.
type clusterNode struct {
	addr, config string
	pid          int
}

func nodeOf(ctx context.Context, n *redis.Client) (clusterNode, error) {
	info, err := n.Info(ctx, "server").Result()
	if err != nil {
		return clusterNode{}, err
	}
	node := clusterNode{addr: n.Options().Addr}
	for _, line := range strings.Split(info, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		switch k {
		case "process_id":
			node.pid, _ = strconv.Atoi(v)
		case "config_file":
			node.config = v
		}
	}
	if node.pid == 0 || node.config == "" {
		return node, fmt.Errorf("node %s: no process_id or config_file in INFO server (start it from a config file, as .ci/redis-cluster does)", node.addr)
	}
	return node, nil
}

// waitClusterOK waits until every reachable node says cluster_state:ok.
func waitClusterOK(ctx context.Context, c *redis.ClusterClient, within time.Duration) (time.Duration, error) {
	start := time.Now()
	for {
		c.ReloadState(ctx)
		err := c.ForEachShard(ctx, func(ctx context.Context, n *redis.Client) error {
			info, err := n.ClusterInfo(ctx).Result()
			if err == nil && !strings.Contains(info, "cluster_state:ok") {
				err = fmt.Errorf("%s: not ok", n.Options().Addr)
			}
			return err
		})
		if err == nil {
			return time.Since(start), nil
		}
		if time.Since(start) > within {
			return time.Since(start), err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitReplicaSynced waits until the node at addr is a replica whose link to
// its master is up and whose first full sync has finished.
func waitReplicaSynced(ctx context.Context, addr string, within time.Duration) error {
	n := redis.NewClient(&redis.Options{Addr: addr})
	defer n.Close()
	start := time.Now()
	for {
		info, err := n.Info(ctx, "replication").Result()
		if err == nil {
			if strings.Contains(info, "role:slave") && strings.Contains(info, "master_link_status:up") &&
				strings.Contains(info, "master_sync_in_progress:0") {
				return nil
			}
			err = fmt.Errorf("not a synced replica yet: %s", strings.Join(strings.Fields(info), " "))
		}
		if time.Since(start) > within {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Invariant: a master of a Redis Cluster (three masters, three replicas)
// SIGKILLed mid-load, its replica promoted by the cluster: no request takes
// longer than its bounds, every failure wraps ErrStoreUnavailable, and
// afterwards the tokens lost and the refresh tokens used twice are counted
// (and must be 0). Replication is asynchronous: a token the master
// acknowledged and had not yet sent to its replica dies with it (see the
// docs/storage.md); on loopback the window is a fraction of a millisecond. The
// killed node is started again afterwards and rejoins as a replica.
func TestFaultRedisClusterMasterFailover(t *testing.T) {
	addrs := testenv.Service(t, clusterAddrsEnv, "a Redis Cluster")
	if os.Getenv(clusterFailoverEnv) != "1" {
		t.Skipf("%s is not 1: this test kills a master of the cluster, which .ci/run's Redis Cluster step allows", clusterFailoverEnv)
	}
	size := sizes()
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	cfg := redisstore.Config{Config: storage.Config{User: storagetest.User, Timeout: storeTimeout, LockTTL: lockTTL},
		Prefix: "gindance-faults:" + hex.EncodeToString(b) + ":"}
	ra, rb := redisstore.New(clusterClient(t, addrs), cfg), redisstore.New(clusterClient(t, addrs), cfg)
	admin := clusterClient(t, addrs)
	if _, err := waitClusterOK(ctx, admin, 10*time.Second); err != nil {
		t.Fatalf("the cluster is not ok before the test: %v", err)
	}
	if err := admin.ForEachSlave(ctx, func(ctx context.Context, n *redis.Client) error {
		return waitReplicaSynced(ctx, n.Options().Addr, 30*time.Second)
	}); err != nil {
		t.Fatalf("a replica of the cluster is not in sync before the test: %v", err)
	}
	w := newWorld(t, size.users, ra, rb)

	var victim clusterNode
	var failover time.Duration
	var fault error
	tl := w.load(size, func() {
		time.Sleep(size.duration / 3)
		master, err := admin.MasterForKey(ctx, ra.TokenKey("fake", w.users[0]))
		if err == nil {
			victim, err = nodeOf(ctx, master)
		}
		if err == nil {
			err = syscall.Kill(victim.pid, syscall.SIGKILL)
		}
		if err == nil {
			failover, err = waitClusterOK(ctx, admin, 30*time.Second)
		}
		fault = err
	})
	if fault != nil {
		t.Fatalf("killing a master and waiting for its replica's promotion: %v", fault)
	}
	t.Cleanup(func() {
		// the killed node rejoins as a replica of its promoted one
		if out, err := exec.Command("redis-server", victim.config).CombinedOutput(); err != nil {
			t.Errorf("restarting %s: %v %s", victim.addr, err, out)
			return
		}
		if _, err := waitClusterOK(ctx, admin, 30*time.Second); err != nil {
			t.Errorf("the cluster after restarting %s: %v", victim.addr, err)
			return
		}
		// A replica promoted before its first full sync has finished
		// would be an empty master: the next failover (a later run of
		// this test) would lose that shard's tokens. Wait for the sync.
		if err := waitReplicaSynced(ctx, victim.addr, 30*time.Second); err != nil {
			t.Errorf("the restarted %s: %v", victim.addr, err)
		}
	})
	t.Logf("FAULTS redis cluster: master %s SIGKILLed, its replica promoted %v later", victim.addr, failover.Round(time.Millisecond))
	w.checkInvariants("redis cluster master SIGKILLed, replica promoted", tl, "store")
}
