package blueprint_test

import (
	"errors"
	"testing"

	"github.com/gindance/gindance/blueprint"
)

// TestHooksValidateAndExtension: a provider package's Validate hook fails
// Validate (and so Mount), and its Extension value comes back from the
// blueprint.
func TestHooksValidateAndExtension(t *testing.T) {
	type ext struct{ n int }
	cfg := staticConfig("https://api.example/")
	want := errors.New("no issuer")
	cfg.Protocol.Validate = func() error { return want }
	cfg.Protocol.Extension = &ext{n: 7}
	b := blueprint.NewOAuth2("x", cfg)
	if err := b.Validate(); !errors.Is(err, want) {
		t.Fatalf("Validate: %v", err)
	}
	if e, ok := b.Extension().(*ext); !ok || e.n != 7 {
		t.Fatalf("Extension: %#v", b.Extension())
	}
	if blueprint.NewOAuth1("y", blueprint.OAuth1Config{}).Extension() != nil {
		t.Fatal("OAuth 1.0a blueprint has an extension")
	}
}
