package encrypt_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
)

// A DPoP-bound token's private key (RFC 9449) is stored with the token and
// sealed with it: the stored bytes do not hold it, and it comes back whole.
func TestDPoPKeySealedWithTheToken(t *testing.T) {
	be := &memory.Backend{}
	s := storage.New(be, storage.Config{Sealer: mustSealer(t, newKey())})
	ctx := context.Background()
	key := `{"kty":"EC","crv":"P-256","x":"secret-x","y":"secret-y","d":"secret-private-d"}`
	tok := &blueprint.Token{AccessToken: "at", TokenType: "DPoP", DPoPKey: key}
	if err := s.SetFor(ctx, "idp", "alice", tok); err != nil {
		t.Fatal(err)
	}
	raw, _ := be.Load(ctx, storage.Key{Provider: "idp", User: "alice"})
	if bytes.Contains(raw, []byte("secret-private-d")) || bytes.Contains(raw, []byte("dpop_key")) {
		t.Fatalf("stored bytes leak the DPoP key: %q", raw)
	}
	got, err := s.GetFor(ctx, "idp", "alice")
	if err != nil || got.DPoPKey != key {
		t.Fatalf("GetFor = %+v, %v", got, err)
	}
}
