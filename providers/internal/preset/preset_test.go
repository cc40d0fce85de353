package preset

import "testing"

func TestCredentialsFillOnlyEmptyFields(t *testing.T) {
	t.Setenv("ACME_CLIENT_ID", "env-id")
	t.Setenv("ACME_CLIENT_SECRET", "env-secret")
	id, secret := "", "given"
	Credentials("ACME", &id, &secret)
	if id != "env-id" || secret != "given" {
		t.Fatalf("got %q %q", id, secret)
	}
}

func TestOr(t *testing.T) {
	if Or("", "d") != "d" || Or("v", "d") != "v" {
		t.Fatal("Or")
	}
}
