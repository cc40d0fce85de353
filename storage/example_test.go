package storage_test

import (
	"context"
	"fmt"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
)

// An app keys tokens to its own users: the user function reads the id its
// own login put in the session.
func ExampleConfig() {
	store := memory.New(storage.Config{
		User: func(c *gin.Context) (string, error) {
			id, _ := sessions.Default(c).Get("user_id").(string)
			return id, nil // "": not logged in to the app: no token (Require sends them to log in), and a login that would store one is refused with ErrUserRequired
		},
	})
	b := blueprint.NewOAuth2("github", blueprint.OAuth2Config{ClientID: "id", ClientSecret: "test-client-secret",
		AuthURL: "https://github.com/login/oauth/authorize", TokenURL: "https://github.com/login/oauth/access_token"})
	b.SetStorage(store)
	fmt.Println(b.Storage() == blueprint.Storage(store))
	// Output: true
}

// Background jobs and admin pages read and write tokens by provider and
// user key, outside of any request.
func ExampleStore_GetFor() {
	store := memory.New(storage.Config{})
	ctx := context.Background()
	_ = store.SetFor(ctx, "github", "42", &blueprint.Token{AccessToken: "gho_example"})
	tok, _ := store.GetFor(ctx, "github", "42")
	fmt.Println(tok.AccessToken)
	other, _ := store.GetFor(ctx, "github", "43")
	fmt.Println(other == nil)
	// Output:
	// gho_example
	// true
}
