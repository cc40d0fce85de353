package blueprint

import (
	"strings"
	"testing"
)

// The sealed payload of a pending-login cookie reads back exactly what was
// written, and any truncation, extension or other version is refused rather
// than read as a different login.
func TestTxPayloadRoundTripAndRefusals(t *testing.T) {
	tx := transaction{
		Key: hashKey("state"), Verifier: randomString(32), Nonce: randomString(24), Issuer: "https://issuer.example",
		Redirect: "https://app.example/login/x/authorized", Next: "/a?b=" + strings.Repeat("é", 200), Secret: "",
		Issued: 1893456000,
	}
	b := appendTxPayload(nil, &tx)
	if len(b) > txPayloadSize(&tx) {
		t.Fatalf("payload %d bytes, size bound %d", len(b), txPayloadSize(&tx))
	}
	got, ok := parseTxPayload(b)
	if !ok || got != tx {
		t.Fatalf("round trip: %v %+v", ok, got)
	}
	for i := range b {
		if _, ok := parseTxPayload(b[:i]); ok {
			t.Fatalf("a payload truncated to %d of %d bytes was accepted", i, len(b))
		}
	}
	if _, ok := parseTxPayload(append(b[:len(b):len(b)], 0)); ok {
		t.Fatal("a payload with a trailing byte was accepted")
	}
	other := append([]byte{txPayloadVersion + 1}, b[1:]...)
	if _, ok := parseTxPayload(other); ok {
		t.Fatal("another version was accepted")
	}
	huge := append([]byte{txPayloadVersion, 0}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)
	if _, ok := parseTxPayload(huge); ok {
		t.Fatal("a field length past the end was accepted")
	}
}
