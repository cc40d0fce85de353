package encrypt_test

import (
	"context"
	"fmt"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/encrypt"
	"github.com/gindance/gindance/storage/memory"
)

// Keys come from a secret, newest first: here two (made-up) keys during a
// rotation. Every server-side store takes the Sealer in its Config.
func ExampleNew() {
	keys, err := encrypt.ParseKeys("bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleSE=,b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleSE=")
	if err != nil {
		panic(err)
	}
	sealer, err := encrypt.New(keys...)
	if err != nil {
		panic(err)
	}
	store := memory.New(storage.Config{Sealer: sealer})
	ctx := context.Background()
	_ = store.SetFor(ctx, "github", "42", &blueprint.Token{AccessToken: "gho_example"})
	tok, _ := store.GetFor(ctx, "github", "42")
	fmt.Println(tok.AccessToken)
	// Output: gho_example
}
