package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/sqlstore"
	"github.com/gindance/gindance/storage/sqlstore/sqlite"
)

// A file path is all the embedded default needs.
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "gindance")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	store, err := sqlite.New(ctx, filepath.Join(dir, "tokens.db"), sqlstore.Config{Config: storage.Config{}})
	if err != nil {
		panic(err)
	}
	defer store.DB().Close()
	_ = store.SetFor(ctx, "github", "42", &blueprint.Token{AccessToken: "gho_example"})
	tok, _ := store.GetFor(ctx, "github", "42")
	fmt.Println(tok.AccessToken)
	// Output: gho_example
}
