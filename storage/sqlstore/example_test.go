package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/sqlstore"
)

// PostgreSQL through pgx's database/sql driver (import
// _ "github.com/jackc/pgx/v5/stdlib"); MySQL and MariaDB likewise with
// _ "github.com/go-sql-driver/mysql" and sql.Open("mysql", dsn).
func ExampleNew() {
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		panic(err)
	}
	store, err := sqlstore.New(db, sqlstore.Config{
		Config: storage.Config{User: func(c *gin.Context) (string, error) {
			id, _ := sessions.Default(c).Get("user_id").(string)
			return id, nil
		}},
	})
	if err != nil {
		panic(err)
	}
	if err := store.Migrate(context.Background()); err != nil {
		panic(err) // every error names the operation, never the DSN's password
	}
	// blueprint.SetStorage(store)
}

// Apps with their own migration tool take the statement from Schema.
func ExampleStore_Schema() {
	db, _ := sql.Open("pgx", "")
	store, _ := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.Postgres})
	fmt.Println(store.Schema())
	// Output:
	// CREATE TABLE IF NOT EXISTS gindance_tokens (
	// 	provider   TEXT NOT NULL,
	// 	user_key   TEXT NOT NULL,
	// 	token      BYTEA NOT NULL,
	// 	sid_ref    TEXT,
	// 	sub_ref    TEXT,
	// 	created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
	// 	updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
	// 	PRIMARY KEY (provider, user_key)
	// );
	// CREATE INDEX IF NOT EXISTS gindance_tokens_sid_ref ON gindance_tokens (provider, sid_ref);
	// CREATE INDEX IF NOT EXISTS gindance_tokens_sub_ref ON gindance_tokens (provider, sub_ref)
}
