// Package redisstore keeps tokens in Redis (or Valkey, KeyDB) through
// go-redis v9, one string key per provider and user key:
//
//	<prefix>token:<provider>:<user key>   the token (JSON, or sealed by storage/encrypt)
//	<prefix>lock:<provider>:<user key>    the refresh lock, while held
//
// with the provider and user key query-escaped, so keys never run into each
// other. The prefix (default "gindance:") lets apps share a Redis.
//
// A key can expire with its token: with ExpireWithToken, a token that
// cannot be refreshed is dropped by Redis when it expires; MaxTTL caps every
// key. Instances sharing the Redis refresh a token once between them: the
// refresh lock is SET NX PX with a random value, released only by its holder
// (a compare-and-delete script), and expires by itself after the lock TTL
// if its holder dies.
package redisstore
