package cookiestore

import "errors"

// Errors of Serializer.Deserialize for input in this package's format
// (input that does not start with its marker byte is gob's to judge). The
// securecookie codec wraps them in an error of its own that does not
// unwrap, so a session store reports them as a failed decode; the session
// then starts empty.
var (
	// ErrVersion: the version byte after the marker is not one this
	// package writes.
	ErrVersion = errors.New("cookiestore: unknown format version")
	// ErrTruncated: the input ends before the entries it announces.
	ErrTruncated = errors.New("cookiestore: truncated session data")
	// ErrTrailing: bytes follow the last entry.
	ErrTrailing = errors.New("cookiestore: trailing bytes after session data")
	// ErrUnknownTag: a value's type tag is not one of this version's.
	ErrUnknownTag = errors.New("cookiestore: unknown value type tag")
	// ErrDuplicateKey: a key appears twice.
	ErrDuplicateKey = errors.New("cookiestore: duplicate session key")
	// ErrNonMinimal: a varint is longer than its value needs, so the same
	// session would have two encodings.
	ErrNonMinimal = errors.New("cookiestore: non-minimal varint")
	// ErrRange: a varint does not fit 64 bits, or an int value does not
	// fit this platform's int (a cookie a 64-bit server wrote, read on a
	// 32-bit one).
	ErrRange = errors.New("cookiestore: integer out of range")
	// ErrDestination: the destination is not a *map[interface{}]interface{},
	// the only type this format decodes into.
	ErrDestination = errors.New("cookiestore: destination is not *map[interface{}]interface{}")
)
