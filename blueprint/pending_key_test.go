package blueprint

import "testing"

// The derived pending-login key (Argon2id, RFC 9106) is the same for the
// same secret, blueprint name and client ID, as every replica needs, and
// differs when any one of them does; the salt's length prefixes keep
// ("ab", "c") and ("a", "bc") apart.
func TestDeriveLoginKeyIsBoundToSecretNameAndClientID(t *testing.T) {
	derive := func(secret, name, clientID string) string {
		k := deriveLoginKey([]byte(secret), name, clientID)
		if len(k) != LoginCookieKeySize {
			t.Fatalf("deriveLoginKey: %d bytes", len(k))
		}
		return string(k)
	}
	base := derive("secret", "github", "client")
	if derive("secret", "github", "client") != base {
		t.Fatal("two derivations of the same inputs differ: replicas would not agree")
	}
	seen := map[string]string{base: "base"}
	for what, k := range map[string]string{
		"secret":      derive("secret2", "github", "client"),
		"name":        derive("secret", "gitlab", "client"),
		"client ID":   derive("secret", "github", "client2"),
		"boundary":    derive("secret", "githubc", "lient"),
		"boundary 2":  derive("secret", "githu", "bclient"),
		"secret only": derive("secret", "", ""),
	} {
		if prev, dup := seen[k]; dup {
			t.Errorf("changing the %s gives the key of %s", what, prev)
		}
		seen[k] = what
	}
}
