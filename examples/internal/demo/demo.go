// Package demo holds what the provider examples (github, google, twitter)
// set up the same way: a cookie session store with keys from the
// environment, and the listen address.
package demo

import (
	"encoding/hex"
	"errors"
	"net/http"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
)

// SessionStore is a cookie session store with keys from the environment:
// SESSION_HASH_KEY (authentication, 32 or 64 bytes) and SESSION_BLOCK_KEY
// (encryption, 32 bytes), both hex; generate each with
// `openssl rand -hex 32`. Cookies are HttpOnly, SameSite=Lax (the
// provider's redirect back is a top-level GET, which Lax allows) and Secure;
// set INSECURE_COOKIES=1 only for http://localhost during development.
func SessionStore() (sessions.Store, error) {
	hashKey, err := hex.DecodeString(os.Getenv("SESSION_HASH_KEY"))
	if err != nil || (len(hashKey) != 32 && len(hashKey) != 64) {
		return nil, errors.New("SESSION_HASH_KEY must be 32 or 64 random bytes, hex-encoded (openssl rand -hex 32)")
	}
	blockKey, err := hex.DecodeString(os.Getenv("SESSION_BLOCK_KEY"))
	if err != nil || len(blockKey) != 32 {
		return nil, errors.New("SESSION_BLOCK_KEY must be 32 random bytes, hex-encoded (openssl rand -hex 32)")
	}
	store := cookie.NewStore(hashKey, blockKey)
	store.Options(sessions.Options{Path: "/", MaxAge: 7 * 24 * 3600, HttpOnly: true,
		Secure: os.Getenv("INSECURE_COOKIES") != "1", SameSite: http.SameSiteLaxMode})
	return store, nil
}

// Addr is where the example listens: $ADDR, or localhost:8000.
func Addr() string {
	if a := os.Getenv("ADDR"); a != "" {
		return a
	}
	return "localhost:8000"
}
