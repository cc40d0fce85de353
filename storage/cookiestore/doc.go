// Package cookiestore is a gin-contrib/sessions cookie store that encodes
// session values without encoding/gob.
//
// It is a session backend for gin-contrib/sessions (the store given to
// sessions.Sessions), not a token blueprint.Storage: the blueprint's
// default SessionStorage keeps tokens in whatever session the app installs,
// and this package only makes a cookie session cheaper to read and smaller
// to send. Apps opt in by importing it; nothing else in gindance does.
//
// NewStore is gin-contrib's cookie.NewStore (the same key pairs, the same
// default options, Options works the same) whose codecs use Serializer.
// Serializer writes a map of string keys whose values are string, []byte,
// bool, int, int64 or float64 (everything gindance keeps in a session) in a
// compact format of its own, and falls back to gob, byte for byte what
// securecookie.GobEncoder writes, for any other map, so values an app keeps
// today (gob-registered structs, flashes, time.Time, ...) still work. It
// reads both its own format and gob, so cookies written by cookie.NewStore
// before an app switches stay valid.
package cookiestore
