package blueprint_test

import (
	"errors"
	"testing"

	"github.com/gindance/gindance/blueprint"
)

// TestHooksValidate: a provider package's Validate hook fails Validate
// (and so Mount).
func TestHooksValidate(t *testing.T) {
	cfg := staticConfig("https://api.example/")
	want := errors.New("no issuer")
	cfg.Protocol.Validate = func() error { return want }
	b := blueprint.NewOAuth2("x", cfg)
	if err := b.Validate(); !errors.Is(err, want) {
		t.Fatalf("Validate: %v", err)
	}
}
