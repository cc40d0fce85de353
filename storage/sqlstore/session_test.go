package sqlstore_test

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/storage"
)

// A table made before the session references (no sid_ref, sub_ref) keeps
// its tokens through Migrate and gains the columns and indexes, so that
// back-channel logout finds tokens saved afterwards.
func TestMigrateAddsSessionRefsToOldTables(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db := be.open(t)
			table := uniqueTable(t, db)
			blob := "BLOB"
			switch be.name {
			case "Postgres":
				blob = "BYTEA"
			case "MySQL":
				blob = "MEDIUMBLOB"
			}
			key := "TEXT"
			if be.name == "MySQL" {
				key = "VARBINARY(255)"
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			old := "CREATE TABLE " + table + " (provider " + key + " NOT NULL, user_key " + key + " NOT NULL, token " + blob +
				" NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (provider, user_key))"
			if _, err := db.ExecContext(ctx, old); err != nil {
				t.Fatal(err)
			}
			newStore(t, db, be.dialect, table, storage.Config{})
			s := newStore(t, db, be.dialect, table, storage.Config{}) // Migrate twice: idempotent
			if err := s.SetFor(ctx, "idp", "ann", &blueprint.Token{AccessToken: "at",
				IDToken: "e30." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"https://op","sub":"u","sid":"s1"}`)) + ".c2ln"}); err != nil {
				t.Fatal(err)
			}
			if n, err := s.ForgetSession(ctx, "idp", "https://op", "s1", ""); err != nil || n != 1 {
				t.Fatalf("ForgetSession = %d, %v", n, err)
			}
		})
	}
}
