package blueprint

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"time"

	"golang.org/x/crypto/argon2"
)

// loginKeySalt starts the salt of a derived pending-login cookie key: it
// names what the key is for and the derivation's version, so that the same
// client secret used anywhere else (by this library or another) never
// yields this key, and a future change of derivation can take a new label.
const loginKeySalt = "gindance pending-login cookie key v2\x00"

// The Argon2id cost of a derived pending-login key (RFC 9106): a pass
// count and a memory size (KiB) that take about 100 ms of one core, once
// per blueprint and process, at its first login start or callback. Each
// guess of an offline search for the client secret costs the same (see
// BenchmarkDeriveLoginKey). One lane: more would finish sooner on a
// machine with idle cores but cost a guess no more work.
const (
	loginKeyPasses  = 2
	loginKeyMemory  = 64 << 10 // 64 MiB
	loginKeyThreads = 1
)

// minDerivedKeySecret is the shortest client secret (or consumer secret)
// a pending-login cookie key is derived from. A shorter one is a
// configuration error naming LoginCookieKey as the fix: every login start
// hands out a cookie sealed under the derived key, which an attacker can
// take offline and test guesses of the secret against, and the slow
// derivation does not make a short secret safe.
const minDerivedKeySecret = 16

// loginKeyInfo is the part of a derived key's salt that names the
// blueprint and the client ID, each length-prefixed so that no two pairs
// encode alike. Two blueprints of one app, or two clients sharing a
// secret, get unrelated keys, a cookie sealed for one opens in no other,
// and a search for the secret must start over for each app.
func loginKeyInfo(name, clientID string) string {
	b := binary.AppendUvarint(nil, uint64(len(name)))
	b = append(b, name...)
	b = binary.AppendUvarint(b, uint64(len(clientID)))
	return string(append(b, clientID...))
}

// deriveLoginKey is the AES-256 key that seals a blueprint's pending-login
// cookies when Options.LoginCookieKey is nil: Argon2id (RFC 9106) of the
// client's own secret credential, which every replica of the app shares
// and browsers never see, salted with the label and the blueprint's name
// and client ID. It is slow on purpose; callers derive it once.
func deriveLoginKey(secret []byte, name, clientID string) []byte {
	salt := []byte(loginKeySalt + loginKeyInfo(name, clientID))
	return argon2.IDKey(secret, salt, loginKeyPasses, loginKeyMemory, loginKeyThreads, LoginCookieKeySize)
}

// pendingLoginsFor is where b's pending logins wait, in the one mode o
// asks for: sealed cookies under LoginCookieKey, the session with
// PendingLoginsInSession, or by default sealed cookies under a key derived
// from secret (the client's credential, see loginKeySecret) at their first
// use. A mode b cannot use is a configuration error naming the fix, never a
// quiet move to another: two modes at once, the default with no secret (a
// public client, or a key held by an opaque crypto.Signer), or with one
// shorter than minDerivedKeySecret.
func pendingLoginsFor(b *Blueprint, o Options, secret []byte, clientID string) (pendingLogins, error) {
	switch {
	case o.LoginCookieKey != nil && o.PendingLoginsInSession:
		return nil, fmt.Errorf("%w: %s: PendingLoginsInSession and LoginCookieKey ask for two places to keep pending logins; set one", ErrConfig, b.name)
	case o.LoginCookieKey != nil:
		return newCookieLogins(b, o.LoginCookieKey)
	case o.PendingLoginsInSession:
		return sessionLogins{b}, nil
	case len(secret) == 0:
		return nil, fmt.Errorf("%w: %s: the client has no secret to derive the pending-login cookie key from "+
			"(a PublicClient, or ClientKeys held by a crypto.Signer that does not reveal its key); "+
			"set LoginCookieKey (%d random bytes, the same on every replica) or PendingLoginsInSession",
			ErrConfig, b.name, LoginCookieKeySize)
	case len(secret) < minDerivedKeySecret:
		return nil, fmt.Errorf("%w: %s: the client secret is %d bytes, under the %d a pending-login cookie key is derived from "+
			"(each login cookie lets anyone test guesses of it offline); set LoginCookieKey (%d random bytes, the same on every replica) or PendingLoginsInSession",
			ErrConfig, b.name, len(secret), minDerivedKeySecret, LoginCookieKeySize)
	}
	secret = bytes.Clone(secret)
	return newDerivedCookieLogins(b, func() []byte { return deriveLoginKey(secret, b.name, clientID) }), nil
}

// loginKeySecret is the OAuth 2.0 client's credential the default
// pending-login key is derived from: ClientSecret (client_secret_basic,
// _post and _jwt alike), else, with ClientKeys (private_key_jwt), the newest key's
// private key in PKCS #8. nil when the client has none that can be read: a
// public client, or a key held by an opaque crypto.Signer (an HSM, a KMS).
func (p *oauth2Protocol) loginKeySecret() []byte {
	if p.cfg.ClientSecret != "" {
		return []byte(p.cfg.ClientSecret)
	}
	k := newestKey(p.cfg.ClientKeys)
	if k == nil || k.Signer == nil {
		return nil
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.Signer)
	if err != nil {
		return nil
	}
	return der
}

// newestKey is the key with the latest NotBefore (the first of them on a
// tie), whether or not it signs yet: every replica given the same ClientKeys
// picks the same one, whenever it starts. nil for no keys.
func newestKey(keys []ClientKey) *ClientKey {
	var best *ClientKey
	var at time.Time
	for i := range keys {
		if best == nil || keys[i].NotBefore.After(at) {
			best, at = &keys[i], keys[i].NotBefore
		}
	}
	return best
}
