package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
)

const maxJWKS = 1 << 20

// keySet is a gooidc.KeySet over the provider's jwks_uri: fetched on first
// use, refetched for an unknown kid at most once per its interval
// (Config.JWKSRefetchInterval). Keys
// of a kty go-jose does not understand are skipped (RFC 7517 §5).
//
// A fetch runs on a context of its own, bounded by the provider timeout,
// whatever the context of the verification that started it (a request's,
// which may have no deadline, from Claims or the back-channel handler;
// the app's HTTPClient may have no Timeout either). Verifications that
// need keys while a fetch runs wait for that one fetch, each only as long
// as its own context allows: a hung jwks_uri holds no login beyond the
// timeout, and a failed fetch is not repeated once per waiter in turn.
// (x/sync's singleflight would start a new fetch for a caller arriving
// just after one ended, which the refetch interval must not allow.)
type keySet struct {
	hc      *http.Client
	url     string
	timeout time.Duration

	mu        sync.Mutex // guards the fields below, never held while fetching
	keys      []jose.JSONWebKey
	loaded    bool
	refetched time.Time // last refetch for an unknown kid
	running   *keyFetch // the fetch in flight, nil when none

	interval *atomic.Int64 // minimum time between unknown-kid refetches, ns
}

// keyFetch is one fetch of the key set; done is closed when it ends.
type keyFetch struct {
	done chan struct{}
	keys []jose.JSONWebKey
	err  error
}

func newKeySet(hc *http.Client, url string, interval *atomic.Int64, timeout time.Duration) *keySet {
	return &keySet{hc: hc, url: url, interval: interval, timeout: timeout}
}

// VerifySignature implements gooidc.KeySet.
func (k *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSigned(raw, algList())
	if err != nil {
		return nil, fmt.Errorf("oidc: malformed jwt: %w", err)
	}
	kid := ""
	if len(jws.Signatures) > 0 {
		kid = jws.Signatures[0].Header.KeyID
	}
	keys, err := k.keysFor(ctx, kid)
	if err != nil {
		return nil, err
	}
	for _, key := range keys {
		if kid == "" || key.KeyID == kid {
			if payload, err := jws.Verify(&key); err == nil {
				return payload, nil
			}
		}
	}
	return nil, errors.New("failed to verify id token signature")
}

// keysFor returns the cached keys when they have kid; otherwise it waits
// for the fetch in flight, or starts one if the keys were never loaded or
// the last refetch for an unknown kid is old enough, or else returns the
// cached keys. It gives up waiting when ctx ends; the fetch goes on.
func (k *keySet) keysFor(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	k.mu.Lock()
	f := k.running
	switch {
	case k.loaded && hasKID(k.keys, kid):
		keys := k.keys
		k.mu.Unlock()
		return keys, nil // replaced, never modified in place
	case f != nil:
	case !k.loaded:
		f = k.start(ctx)
	case time.Since(k.refetched) >= time.Duration(k.interval.Load()):
		k.refetched = time.Now()
		f = k.start(ctx)
	default:
		keys := k.keys
		k.mu.Unlock()
		return keys, nil
	}
	k.mu.Unlock()
	select {
	case <-f.done:
		return f.keys, f.err
	case <-ctx.Done():
		return nil, fmt.Errorf("oidc: waiting for the provider's keys: %w", context.Cause(ctx))
	}
}

// start starts a fetch on a context of its own: ctx's values, not its
// cancellation, and the provider timeout; k.mu is held.
func (k *keySet) start(ctx context.Context) *keyFetch {
	f := &keyFetch{done: make(chan struct{})}
	k.running = f
	go func() {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), k.timeout)
		keys, err := k.fetch(fctx)
		cancel()
		k.mu.Lock()
		if err == nil { // a failed refetch keeps the keys there are
			k.keys, k.loaded = keys, true
		}
		f.keys, f.err = keys, err
		k.running = nil
		k.mu.Unlock()
		close(f.done)
	}()
	return f
}

func hasKID(keys []jose.JSONWebKey, kid string) bool {
	if kid == "" {
		return len(keys) > 0
	}
	for _, k := range keys {
		if k.KeyID == kid {
			return true
		}
	}
	return false
}

func algList() []jose.SignatureAlgorithm {
	out := make([]jose.SignatureAlgorithm, 0, len(asymmetric))
	for a := range asymmetric {
		out = append(out, jose.SignatureAlgorithm(a))
	}
	return out
}

// fetch reads the JWKS.
func (k *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, fmt.Errorf("oidc: fetching keys: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oidc: fetching keys: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("oidc: fetching keys: status %d", resp.StatusCode)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJWKS)).Decode(&set); err != nil {
		return nil, fmt.Errorf("oidc: decoding keys: %w", err)
	}
	keys := make([]jose.JSONWebKey, 0, len(set.Keys))
	for _, raw := range set.Keys {
		var key jose.JSONWebKey
		if json.Unmarshal(raw, &key) == nil && key.Valid() && key.IsPublic() && (key.Use == "" || key.Use == "sig") {
			keys = append(keys, key)
		}
	}
	return keys, nil
}
