// Package encrypt seals tokens at rest with AES-256-GCM, for any
// storage.Store (storage/sqlstore, storage/redisstore, storage/memory, or a
// backend of your own): set storage.Config.Sealer to a *Sealer.
//
// Every token is encrypted with the first key and a random nonce, and
// authenticated with its provider and user key as associated data: a row
// copied to another user, or to another provider, does not decrypt. Tokens
// open with any of the keys, so keys rotate without downtime: put the new key
// first, keep the old ones after it until every token has been written again
// (each login and refresh rewrites the token with the first key), then drop
// them.
//
// A wrong key, a tampered value, or a value moved to another user fails with
// ErrDecrypt, which wraps blueprint.ErrCorruptToken; nothing is returned that
// did not authenticate. Without a Sealer nothing changes: tokens are stored
// as blueprint.MarshalToken's JSON.
package encrypt
