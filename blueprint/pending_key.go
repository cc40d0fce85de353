package blueprint

import (
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"time"
)

// loginKeySalt is the HKDF salt of a derived pending-login cookie key: it
// names what the key is for and the derivation's version, so that the same
// client secret used anywhere else (by this library or another) never
// yields this key, and a future change of derivation can take a new label.
const loginKeySalt = "gindance pending-login cookie key v1"

// loginKeyInfo is the HKDF info of a derived key: the blueprint's name and
// the client ID, each length-prefixed so that no two pairs encode alike.
// Two blueprints of one app, or two clients sharing a secret, get unrelated
// keys, and a cookie sealed for one opens in no other.
func loginKeyInfo(name, clientID string) string {
	b := binary.AppendUvarint(nil, uint64(len(name)))
	b = append(b, name...)
	b = binary.AppendUvarint(b, uint64(len(clientID)))
	return string(append(b, clientID...))
}

// deriveLoginKey is the AES-256 key that seals a blueprint's pending-login
// cookies when Options.LoginCookieKey is nil: HKDF-SHA256 (RFC 5869) of the
// client's own secret credential, which every replica of the app shares and
// browsers never see.
func deriveLoginKey(secret []byte, name, clientID string) ([]byte, error) {
	return hkdf.Key(sha256.New, secret, []byte(loginKeySalt), loginKeyInfo(name, clientID), LoginCookieKeySize)
}

// pendingLoginsFor chooses where b's pending logins wait. An explicit
// LoginCookieKey seals them in cookies under that key; PendingLoginsInSession
// keeps them in the session; otherwise they are sealed under a key derived
// from secret (the client's credential, see loginKeySecret), and kept in the
// session when there is none (a public client) or b's name cannot go into a
// cookie name.
func pendingLoginsFor(b *Blueprint, o Options, secret []byte, clientID string) (pendingLogins, error) {
	switch {
	case o.LoginCookieKey != nil && o.PendingLoginsInSession:
		return nil, fmt.Errorf("%w: %s: PendingLoginsInSession and LoginCookieKey ask for two places to keep pending logins; set one", ErrConfig, b.name)
	case o.LoginCookieKey != nil:
		return newCookieLogins(b, o.LoginCookieKey)
	case o.PendingLoginsInSession, len(secret) == 0, !validCookieNamePart(b.name):
		return sessionLogins{b}, nil
	}
	key, err := deriveLoginKey(secret, b.name, clientID)
	if err != nil {
		return sessionLogins{b}, nil // only for a key length HKDF cannot give, which 32 is not
	}
	return newCookieLogins(b, key)
}

// loginKeySecret is the OAuth 2.0 client's credential the default
// pending-login key is derived from: OAuth2Hooks.PendingLoginSecret when a
// provider package set it, else ClientSecret (client_secret_basic, _post and
// _jwt alike), else, with ClientKeys (private_key_jwt), the newest key's
// private key in PKCS #8. nil when the client has none that can be read: a
// public client, or a key held by an opaque crypto.Signer (an HSM, a KMS).
func (p *oauth2Protocol) loginKeySecret() []byte {
	switch {
	case p.cfg.Protocol.PendingLoginSecret != nil:
		return p.cfg.Protocol.PendingLoginSecret
	case p.cfg.ClientSecret != "":
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
