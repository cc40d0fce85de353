package memory_test

import (
	"context"
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
)

func ExampleNew() {
	store := memory.New(storage.Config{User: func(*gin.Context) (string, error) { return "42", nil }})
	_ = store.SetFor(context.Background(), "github", "42", &blueprint.Token{AccessToken: "gho_example"})
	tok, _ := store.GetFor(context.Background(), "github", "42")
	fmt.Println(tok.AccessToken)
	// Output: gho_example
}
