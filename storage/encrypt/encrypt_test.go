package encrypt_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/encrypt"
	"github.com/gindance/gindance/storage/memory"
	"github.com/gindance/gindance/storage/storagetest"
)

func newKey() []byte {
	k := make([]byte, encrypt.KeySize)
	rand.Read(k)
	return k
}

func mustSealer(t *testing.T, keys ...[]byte) *encrypt.Sealer {
	t.Helper()
	s, err := encrypt.New(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformanceWithSealing(t *testing.T) {
	sealer := mustSealer(t, newKey())
	storagetest.Run(t, func(t *testing.T) blueprint.Storage {
		return memory.New(storage.Config{User: storagetest.User, Sealer: sealer})
	})
}

func TestStoredBytesAreNotTheToken(t *testing.T) {
	be := &memory.Backend{}
	s := storage.New(be, storage.Config{Sealer: mustSealer(t, newKey())})
	ctx := context.Background()
	tok := &blueprint.Token{AccessToken: "secret-access-token", RefreshToken: "secret-refresh-token"}
	if err := s.SetFor(ctx, "github", "alice", tok); err != nil {
		t.Fatal(err)
	}
	raw, _ := be.Load(ctx, storage.Key{Provider: "github", User: "alice"})
	if bytes.Contains(raw, []byte("secret-")) || bytes.Contains(raw, []byte("access_token")) {
		t.Fatalf("stored bytes leak the token: %q", raw)
	}
	got, err := s.GetFor(ctx, "github", "alice")
	if err != nil || got.AccessToken != tok.AccessToken || got.RefreshToken != tok.RefreshToken {
		t.Fatalf("GetFor = %+v, %v", got, err)
	}
}

func TestRowCopiedToAnotherUserOrProviderDoesNotOpen(t *testing.T) {
	be := &memory.Backend{}
	s := storage.New(be, storage.Config{Sealer: mustSealer(t, newKey())})
	ctx := context.Background()
	_ = s.SetFor(ctx, "github", "alice", &blueprint.Token{AccessToken: "alice's"})
	raw, _ := be.Load(ctx, storage.Key{Provider: "github", User: "alice"})
	for _, k := range []storage.Key{{Provider: "github", User: "mallory"}, {Provider: "google", User: "alice"}, {Provider: "githu", User: "balice"}} {
		_ = be.Save(ctx, k, raw, nil)
		tok, err := s.GetFor(ctx, k.Provider, k.User)
		if tok != nil || !errors.Is(err, encrypt.ErrDecrypt) || !errors.Is(err, blueprint.ErrCorruptToken) {
			t.Fatalf("copied to %+v: %v, %v; want ErrDecrypt wrapping ErrCorruptToken", k, tok, err)
		}
	}
}

func TestTamperedValueDoesNotOpen(t *testing.T) {
	s := mustSealer(t, newKey())
	k := storage.Key{Provider: "p", User: "u"}
	sealed, _ := s.Seal([]byte(`{"access_token":"x"}`), k)
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		if _, err := s.Open(bad, k); !errors.Is(err, encrypt.ErrDecrypt) {
			t.Fatalf("byte %d flipped: %v, want ErrDecrypt", i, err)
		}
	}
	if _, err := s.Open(sealed[:10], k); !errors.Is(err, encrypt.ErrDecrypt) {
		t.Fatal("a truncated value opened")
	}
}

func TestKeyRotation(t *testing.T) {
	oldKey, newK := newKey(), newKey()
	be := &memory.Backend{}
	ctx := context.Background()
	before := storage.New(be, storage.Config{Sealer: mustSealer(t, oldKey)})
	_ = before.SetFor(ctx, "github", "alice", &blueprint.Token{AccessToken: "sealed with the old key"})

	rotated := storage.New(be, storage.Config{Sealer: mustSealer(t, newK, oldKey)})
	if tok, err := rotated.GetFor(ctx, "github", "alice"); err != nil || tok.AccessToken != "sealed with the old key" {
		t.Fatalf("old token under rotated keys: %v, %v", tok, err)
	}
	_ = rotated.SetFor(ctx, "github", "alice", &blueprint.Token{AccessToken: "rewritten"})

	newOnly := storage.New(be, storage.Config{Sealer: mustSealer(t, newK)})
	if tok, err := newOnly.GetFor(ctx, "github", "alice"); err != nil || tok.AccessToken != "rewritten" {
		t.Fatalf("rewritten token under the new key alone: %v, %v", tok, err)
	}
	if _, err := before.GetFor(ctx, "github", "alice"); !errors.Is(err, encrypt.ErrDecrypt) {
		t.Fatalf("old key alone opened a token sealed with the new one: %v", err)
	}
}

func TestAcceptPlaintextMigratesExistingRows(t *testing.T) {
	be := &memory.Backend{}
	ctx := context.Background()
	plain := storage.New(be, storage.Config{})
	_ = plain.SetFor(ctx, "github", "alice", &blueprint.Token{AccessToken: "from before encryption"})

	strict := storage.New(be, storage.Config{Sealer: mustSealer(t, newKey())})
	if _, err := strict.GetFor(ctx, "github", "alice"); !errors.Is(err, encrypt.ErrDecrypt) {
		t.Fatalf("a strict sealer opened plaintext: %v", err)
	}
	lenient := mustSealer(t, newKey())
	lenient.AcceptPlaintext = true
	s := storage.New(be, storage.Config{Sealer: lenient})
	if tok, err := s.GetFor(ctx, "github", "alice"); err != nil || tok.AccessToken != "from before encryption" {
		t.Fatalf("AcceptPlaintext: %v, %v", tok, err)
	}
}

func TestNewAndParseKeys(t *testing.T) {
	if _, err := encrypt.New(); !errors.Is(err, encrypt.ErrKey) {
		t.Fatal("no keys accepted")
	}
	if _, err := encrypt.New(make([]byte, 16)); !errors.Is(err, encrypt.ErrKey) {
		t.Fatal("a 16-byte key accepted")
	}
	k1, k2 := newKey(), newKey()
	keys, err := encrypt.ParseKeys(base64.StdEncoding.EncodeToString(k1) + ", " + base64.RawURLEncoding.EncodeToString(k2))
	if err != nil || len(keys) != 2 || !bytes.Equal(keys[0], k1) || !bytes.Equal(keys[1], k2) {
		t.Fatalf("ParseKeys: %v", err)
	}
	// hex, as openssl rand -hex 32 prints it (the examples' convention), next to base64
	keys, err = encrypt.ParseKeys(hex.EncodeToString(k1) + "," + strings.ToUpper(hex.EncodeToString(k2)) + "," + base64.StdEncoding.EncodeToString(k1))
	if err != nil || len(keys) != 3 || !bytes.Equal(keys[0], k1) || !bytes.Equal(keys[1], k2) || !bytes.Equal(keys[2], k1) {
		t.Fatalf("ParseKeys of hex keys: %v", err)
	}
	if _, err := encrypt.ParseKeys(strings.Repeat("zz", 32)); !errors.Is(err, encrypt.ErrKey) {
		t.Fatalf("64 characters that are not hex: %v", err)
	}
	if _, err := encrypt.ParseKeys("c2hvcnQ="); err == nil || strings.Contains(err.Error(), "c2hvcnQ") {
		t.Fatalf("short key: %v (must fail without echoing the key)", err)
	}
}
