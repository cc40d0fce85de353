package encrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
)

// KeySize is the size of an AES-256 key in bytes.
const KeySize = 32

// version is the first byte of a sealed value. JSON tokens start with '{',
// so a Sealer with AcceptPlaintext can tell them apart.
const version byte = 1

const (
	idSize    = 4
	nonceSize = 12
	overhead  = 1 + idSize + nonceSize + 16
)

var (
	// ErrDecrypt means a stored value did not open: it was sealed with a key
	// the Sealer does not have, tampered with, or copied from another user or
	// provider. It wraps blueprint.ErrCorruptToken.
	ErrDecrypt = fmt.Errorf("%w: cannot decrypt (unknown key, tampered, or sealed for another user or provider)", blueprint.ErrCorruptToken)

	// ErrKey means a key is not KeySize bytes, or no key was given.
	ErrKey = errors.New("gindance/encrypt: keys must be 32 bytes (AES-256), at least one")
)

// Sealer encrypts with its first key and decrypts with any. It implements
// storage.Sealer and is safe for concurrent use.
type Sealer struct {
	keys []sealKey

	// AcceptPlaintext lets Open pass through tokens stored as plain JSON,
	// for turning encryption on over an existing table: they are sealed
	// the next time they are written. Set it before use; off by default.
	AcceptPlaintext bool
}

type sealKey struct {
	id   [idSize]byte
	aead cipher.AEAD
}

var _ storage.Sealer = (*Sealer)(nil)

// New returns a Sealer that encrypts with keys[0] and decrypts with any of
// keys. Each key is KeySize random bytes (see ParseKeys).
func New(keys ...[]byte) (*Sealer, error) {
	if len(keys) == 0 {
		return nil, ErrKey
	}
	s := &Sealer{}
	for _, k := range keys {
		if len(k) != KeySize {
			return nil, ErrKey
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(append([]byte("gindance key id\x00"), k...))
		var sk sealKey
		copy(sk.id[:], sum[:idSize])
		sk.aead = aead
		s.keys = append(s.keys, sk)
	}
	return s, nil
}

// ParseKeys decodes a comma-separated list of keys, as kept in an
// environment variable or secret: the first encrypts, all decrypt. Each is
// 32 bytes in hex (64 characters, as `openssl rand -hex 32` prints it: the
// convention of the session keys in gindance's examples) or in base64
// (standard or URL alphabet, padded or not; `openssl rand -base64 32`).
// The two cannot be confused: 32 bytes of base64 are 43 or 44 characters.
func ParseKeys(s string) ([][]byte, error) {
	var keys [][]byte
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimRight(strings.TrimSpace(part), "=")
		var k []byte
		var err error
		if len(part) == 2*KeySize {
			k, err = hex.DecodeString(part)
		} else if strings.ContainsAny(part, "-_") {
			k, err = base64.RawURLEncoding.DecodeString(part)
		} else {
			k, err = base64.RawStdEncoding.DecodeString(part)
		}
		if err != nil || len(k) != KeySize {
			return nil, fmt.Errorf("%w: key %d is not 32 bytes of hex or base64", ErrKey, i+1)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// associatedData binds a sealed value to its provider and user key; the
// lengths make ("a:b", "c") and ("a", "b:c") differ.
func associatedData(k storage.Key) []byte {
	ad := []byte("gindance/token/v1")
	ad = binary.AppendUvarint(ad, uint64(len(k.Provider)))
	ad = append(ad, k.Provider...)
	ad = binary.AppendUvarint(ad, uint64(len(k.User)))
	return append(ad, k.User...)
}

// Seal encrypts plaintext for k with the first key.
func (s *Sealer) Seal(plaintext []byte, k storage.Key) ([]byte, error) {
	key := s.keys[0]
	out := make([]byte, 1+idSize+nonceSize, overhead+len(plaintext))
	out[0] = version
	copy(out[1:], key.id[:])
	rand.Read(out[1+idSize:]) // never fails (crypto/rand since Go 1.24)
	nonce := out[1+idSize : 1+idSize+nonceSize]
	return key.aead.Seal(out, nonce, plaintext, associatedData(k)), nil
}

// Open decrypts a value Seal made for k, with whichever key sealed it.
func (s *Sealer) Open(sealed []byte, k storage.Key) ([]byte, error) {
	if s.AcceptPlaintext && len(sealed) > 0 && sealed[0] == '{' {
		return sealed, nil
	}
	if len(sealed) < overhead || sealed[0] != version {
		return nil, ErrDecrypt
	}
	id := sealed[1 : 1+idSize]
	nonce := sealed[1+idSize : 1+idSize+nonceSize]
	ad := associatedData(k)
	for _, key := range s.keys {
		if string(key.id[:]) != string(id) {
			continue
		}
		if pt, err := key.aead.Open(nil, nonce, sealed[1+idSize+nonceSize:], ad); err == nil {
			return pt, nil
		}
	}
	return nil, ErrDecrypt
}
