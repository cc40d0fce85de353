package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gindance/gindance/storage/sqlstore"
	"github.com/gindance/gindance/storage/storagetest"
)

// BenchmarkStoreVsRaw compares Get and Set with the same SELECT and upsert
// statements, of the same bytes, through the same driver and pool.
func BenchmarkStoreVsRaw(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			db := be.open(b)
			table := uniqueTable(b, db)
			s := newStore(b, db, be.dialect, table, userCfg)
			p1, p2, p3 := "?", "?", "?"
			if be.dialect == sqlstore.Postgres {
				p1, p2, p3 = "$1", "$2", "$3"
			}
			sel := fmt.Sprintf("SELECT token FROM %s WHERE provider = %s AND user_key = %s", table, p1, p2)
			ins := fmt.Sprintf("INSERT INTO %s (provider, user_key, token) VALUES (%s, %s, %s) ", table, p1, p2, p3)
			switch be.dialect {
			case sqlstore.MySQL:
				ins += "ON DUPLICATE KEY UPDATE token = VALUES(token), updated_at = CURRENT_TIMESTAMP(6)"
			case sqlstore.Postgres:
				ins += "ON CONFLICT (provider, user_key) DO UPDATE SET token = excluded.token, updated_at = now()"
			default:
				ins += "ON CONFLICT (provider, user_key) DO UPDATE SET token = excluded.token, updated_at = CURRENT_TIMESTAMP"
			}
			storagetest.BenchmarkAgainstRaw(b, s, storagetest.Raw{
				Get: func(ctx context.Context) error {
					var got []byte
					return db.QueryRowContext(ctx, sel, "raw", "bench-user").Scan(&got)
				},
				Set: func(ctx context.Context, data []byte) error {
					_, err := db.ExecContext(ctx, ins, "raw", "bench-user", data)
					return err
				},
			})
		})
	}
}
