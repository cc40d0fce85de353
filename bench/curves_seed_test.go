package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/redisstore"
	"github.com/gindance/gindance/storage/sqlstore"
)

// Seeding the curves' users in bulk: each storage gets users [from, to)
// holding a copy of the bytes the store itself wrote for user 0, so the rows
// and keys are exactly the store's own format with only the user key
// varied. Seeding a million users one SetFor at a time would take longer
// than the runs it prepares.

// seedBackend copies user 0's stored bytes to each user through the
// store's backend (the in-process memory store: no round trips to save).
func seedBackend(ctx context.Context, s *storage.Store, provider string, from, to int) error {
	be := s.Backend()
	data, err := be.Load(ctx, storage.Key{Provider: provider, User: curveUser(0)})
	if err != nil || data == nil {
		return fmt.Errorf("reading user 0's token: %v", err)
	}
	tok, err := s.GetFor(ctx, provider, curveUser(0))
	if err != nil {
		return err
	}
	for i := from; i < to; i++ {
		if err := be.Save(ctx, storage.Key{Provider: provider, User: curveUser(i)}, data, tok); err != nil {
			return err
		}
	}
	return nil
}

// seedSQL copies user 0's row to users [from, to) with INSERT ... SELECT,
// curveSeedChunk rows per statement: the user keys come from
// generate_series on PostgreSQL, a recursive CTE on SQLite and a cross
// join of digits on MySQL (whose recursive CTEs stop at 1,000 rows unless
// the session raises cte_max_recursion_depth). The user key expression
// must spell curveUser(i).
func seedSQL(ctx context.Context, s *sqlstore.Store, provider string, from, to int) error {
	t := s.Table()
	var q string
	switch s.Dialect() {
	case sqlstore.Postgres:
		q = `INSERT INTO ` + t + ` (provider, user_key, token, sid_ref, sub_ref)
SELECT s.provider, 'user-' || lpad(g::text, 6, '0'), s.token, s.sid_ref, s.sub_ref
FROM ` + t + ` s, generate_series($3::int, $4::int - 1) g WHERE s.provider = $1 AND s.user_key = $2`
	case sqlstore.SQLite:
		q = `INSERT INTO ` + t + ` (provider, user_key, token, sid_ref, sub_ref)
WITH RECURSIVE g(n) AS (SELECT ?3 UNION ALL SELECT n + 1 FROM g WHERE n + 1 < ?4)
SELECT s.provider, printf('user-%06d', g.n), s.token, s.sid_ref, s.sub_ref
FROM ` + t + ` s, g WHERE s.provider = ?1 AND s.user_key = ?2`
	case sqlstore.MySQL:
		const d = `(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)`
		q = `INSERT INTO ` + t + ` (provider, user_key, token, sid_ref, sub_ref)
SELECT s.provider, CONCAT('user-', LPAD(? + o.n, 6, '0')), s.token, s.sid_ref, s.sub_ref
FROM (SELECT a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d AS n
      FROM ` + d + ` a, ` + d + ` b, ` + d + ` c, ` + d + ` e, ` + d + ` f) o, ` + t + ` s
WHERE o.n < ? AND s.provider = ? AND s.user_key = ?`
	default:
		return fmt.Errorf("no bulk seeding for %v", s.Dialect())
	}
	for lo := from; lo < to; lo += curveSeedChunk {
		hi := min(lo+curveSeedChunk, to)
		args := []any{provider, curveUser(0), lo, hi}
		if s.Dialect() == sqlstore.MySQL {
			args = []any{lo, hi - lo, provider, curveUser(0)}
		}
		res, err := s.DB().ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n != int64(hi-lo) {
			return fmt.Errorf("seeded %d rows for users %d to %d", n, lo, hi)
		}
	}
	return nil
}

// seedRedis sets each user's token key to user 0's bytes, with its TTL,
// 10,000 SETs per pipeline. That is what redisstore's Save leaves for a
// token without session references: the token key alone (it deletes a
// refs key, which a new user has not got).
func seedRedis(ctx context.Context, c *redis.Client, s *redisstore.Store, provider string, from, to int) error {
	k0 := s.TokenKey(provider, curveUser(0))
	data, err := c.Get(ctx, k0).Bytes()
	if err != nil {
		return err
	}
	ttl, err := c.PTTL(ctx, k0).Result()
	if err != nil {
		return err
	}
	if ttl < 0 { // -1: no expiry
		ttl = 0
	}
	if ttl > 0 && ttl < time.Hour {
		return errors.New("user 0's token key expires too soon to copy its TTL")
	}
	for lo := from; lo < to; lo += 10000 {
		pipe := c.Pipeline()
		for i := lo; i < min(lo+10000, to); i++ {
			pipe.Set(ctx, s.TokenKey(provider, curveUser(i)), data, ttl)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
