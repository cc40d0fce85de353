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

// FuzzTxPayload: whatever bytes reach the payload parser (only ever after
// AES-GCM authenticated them, so this is defence in depth) never panic,
// and a payload that parses is exactly the encoding of what it parsed to:
// no two byte strings read as the same login.
func FuzzTxPayload(f *testing.F) {
	full := transaction{Key: hashKey("s"), Verifier: "v", Nonce: "n", Issuer: "https://i", Redirect: "https://r", Next: "/x", Secret: "sec", Issued: 1}
	f.Add(appendTxPayload(nil, &full))
	f.Add(appendTxPayload(nil, &transaction{}))
	f.Add([]byte{})
	f.Add([]byte{txPayloadVersion, 0x80})
	f.Add([]byte{txPayloadVersion, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, ok := parseTxPayload(b)
		if !ok {
			return
		}
		if again := appendTxPayload(nil, &tx); string(again) != string(b) {
			t.Fatalf("%x parsed to %+v, which encodes as %x", b, tx, again)
		}
	})
}

// Pending-login cookies follow the callback as the browser sees it: the
// mount path, or RedirectURL's path less "/authorized" behind a proxy, or
// the whole site when RedirectURL's path says nothing about the mount.
func TestLoginCookiePath(t *testing.T) {
	for _, tc := range []struct{ redirectURL, loginPath, want string }{
		{"", "/login/github", "/login/github"},
		{"https://app.example/auth/github/authorized", "/login/github", "/auth/github"},
		{"https://app.example/oauth/callback", "/login/github", "/"},
		{"https://app.example/authorized", "/login/github", "/"},
	} {
		if got := loginCookiePath(tc.redirectURL, tc.loginPath); got != tc.want {
			t.Errorf("loginCookiePath(%q, %q) = %q, want %q", tc.redirectURL, tc.loginPath, got, tc.want)
		}
	}
}
