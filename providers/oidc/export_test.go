package oidc

import (
	"time"

	"github.com/gindance/gindance/blueprint"
)

// SetJWKSRefetchInterval lets tests change b's unknown-kid refetch interval
// while it serves.
func SetJWKSRefetchInterval(b *blueprint.Blueprint, d time.Duration) {
	b.Extension().(*provider).jwksRefetch.Store(int64(d))
}
