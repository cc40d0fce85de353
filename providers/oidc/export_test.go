package oidc

import "time"

// SetJWKSRefetchInterval lets tests change b's unknown-kid refetch interval
// while it serves.
func SetJWKSRefetchInterval(b *Blueprint, d time.Duration) {
	b.p.jwksRefetch.Store(int64(d))
}
