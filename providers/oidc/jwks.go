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

// DefaultJWKSRefetch bounds how often an id_token with a kid the cached JWKS
// lacks may make the key set fetch the JWKS again (RFC 7517 §4.5, OpenID
// Connect Core §10.1.1): a key rotation costs one fetch, a stream of
// id_tokens with ever-changing kids at most one per interval. go-oidc's
// RemoteKeySet refetches for every unknown kid.
const DefaultJWKSRefetch = 10 * time.Second

const maxJWKS = 1 << 20

// keySet is a gooidc.KeySet over the provider's jwks_uri: fetched on first
// use, refetched for an unknown kid at most once per its interval
// (Config.JWKSRefetchInterval). Keys
// of a kty go-jose does not understand are skipped (RFC 7517 §5).
type keySet struct {
	hc  *http.Client
	url string

	mu        sync.Mutex // held while fetching: one fetch at a time
	keys      []jose.JSONWebKey
	loaded    bool
	refetched time.Time // last refetch for an unknown kid

	interval *atomic.Int64 // minimum time between unknown-kid refetches, ns
}

func newKeySet(hc *http.Client, url string, interval *atomic.Int64) *keySet {
	return &keySet{hc: hc, url: url, interval: interval}
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

// keysFor returns the cached keys, fetched first if never loaded or
// refetched if kid is unknown and the last refetch is old enough. The
// signature is verified outside the lock.
func (k *keySet) keysFor(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.loaded {
		if err := k.fetch(ctx); err != nil {
			return nil, err
		}
	} else if !hasKID(k.keys, kid) && time.Since(k.refetched) >= time.Duration(k.interval.Load()) {
		k.refetched = time.Now()
		if err := k.fetch(ctx); err != nil {
			return nil, err
		}
	}
	return k.keys, nil // replaced, never modified in place
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

// fetch replaces the keys with the JWKS's; k.mu is held.
func (k *keySet) fetch(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return fmt.Errorf("oidc: fetching keys: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.hc.Do(req)
	if err != nil {
		return fmt.Errorf("oidc: fetching keys: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("oidc: fetching keys: status %d", resp.StatusCode)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJWKS)).Decode(&set); err != nil {
		return fmt.Errorf("oidc: decoding keys: %w", err)
	}
	keys := make([]jose.JSONWebKey, 0, len(set.Keys))
	for _, raw := range set.Keys {
		var key jose.JSONWebKey
		if json.Unmarshal(raw, &key) == nil && key.Valid() && key.IsPublic() && (key.Use == "" || key.Use == "sig") {
			keys = append(keys, key)
		}
	}
	k.keys, k.loaded = keys, true
	return nil
}
