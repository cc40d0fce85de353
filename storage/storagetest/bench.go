package storagetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gindance/gindance/blueprint"
)

// Raw is the same work as a store's Get and Set done with the driver
// directly (one SELECT, one upsert, one GET, one SET of the same bytes),
// the baseline BenchmarkAgainstRaw compares the store with.
type Raw struct {
	Get func(ctx context.Context) error
	Set func(ctx context.Context, data []byte) error // data: the token's bytes as the store writes them
}

// BenchmarkAgainstRaw measures the store's Get and Set, as the blueprint
// calls them (with a request and its user), against raw, interleaving the
// two so that both see the same server conditions. Each sub-benchmark
// reports store-ns/op, raw-ns/op and their ratio (x-raw). A Get that does
// not return the token Set fails the benchmark: a miss is no measurement.
func BenchmarkAgainstRaw(b *testing.B, s blueprint.Storage, raw Raw) {
	const user, name = "bench-user", "github"
	tok := &blueprint.Token{AccessToken: randomString(40), RefreshToken: randomString(40), TokenType: "Bearer",
		Expiry: time.Now().Add(time.Hour), Scopes: []string{"read", "write"}}
	c := Request(user)
	if err := s.Set(c, name, tok); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	data, err := blueprint.MarshalToken(tok)
	if err != nil {
		b.Fatal(err)
	}
	if err := raw.Set(ctx, data); err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, store func() error, raw func(context.Context) error) {
		var storeT, rawT time.Duration
		for b.Loop() {
			t0 := time.Now()
			if err := raw(ctx); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if err := store(); err != nil {
				b.Fatal(err)
			}
			storeT += time.Since(t1)
			rawT += t1.Sub(t0)
		}
		b.ReportMetric(float64(storeT.Nanoseconds())/float64(b.N), "store-ns/op")
		b.ReportMetric(float64(rawT.Nanoseconds())/float64(b.N), "raw-ns/op")
		b.ReportMetric(float64(storeT)/float64(rawT), "x-raw")
	}
	b.Run("Get", func(b *testing.B) {
		run(b, func() error {
			got, err := s.Get(c, name)
			if err == nil && (got == nil || got.AccessToken != tok.AccessToken) {
				return fmt.Errorf("Get returned %+v, not the token Set", got)
			}
			return err
		}, raw.Get)
	})
	b.Run("Set", func(b *testing.B) {
		run(b, func() error { return s.Set(c, name, tok) }, func(ctx context.Context) error { return raw.Set(ctx, data) })
	})
}
