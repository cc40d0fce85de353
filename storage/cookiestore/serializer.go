package cookiestore

import (
	"encoding/binary"
	"math"

	"github.com/gorilla/securecookie"
)

// Serializer is a securecookie.Serializer for gorilla session values (a
// map[interface{}]interface{}). A map whose keys are all strings and whose
// values are all string, []byte, bool, int, int64 or float64 is written in
// this package's format; any other value is written by
// securecookie.GobEncoder, unchanged. Deserialize reads both. Set it on
// codecs of a gorilla store of the app's own with
// (*securecookie.SecureCookie).SetSerializer; NewStore does so.
//
// securecookie verifies a cookie's MAC (and decrypts it) before it calls
// Deserialize, so Deserialize only ever sees bytes the app's own key wrote.
type Serializer struct{}

var _ securecookie.Serializer = Serializer{}

// The format, version 1:
//
//	marker   0x00
//	version  0x01
//	count    uvarint: number of entries
//	entries  count times: key (uvarint length, bytes), tag byte, payload
//
// with payloads by tag: tagString and tagBytes a uvarint length and the
// bytes; tagTrue and tagFalse none; tagInt and tagInt64 a zigzag varint
// (encoding/binary's AppendVarint); tagFloat64 the IEEE 754 bits, 8 bytes
// big-endian. Every varint is minimal.
//
// The marker keeps the two formats apart: encoding/gob precedes each message
// with its byte count as an unsigned integer ("each message created by a
// call to Encode is preceded by an encoded unsigned integer count of the
// number of bytes remaining in the message", encoding/gob's package doc,
// Encoding Details), and a message always holds at least a type id, so the
// count is at least 1. An unsigned integer below 128 is sent as that byte
// and a larger one as its byte count negated (0xF8 to 0xFF) followed by
// its bytes, so the first byte of a gob stream is never 0x00 (see
// Encoder.writeMessage in encoding/gob/encoder.go).
const (
	marker  = 0x00
	version = 0x01

	tagString  = 's'
	tagBytes   = 'b'
	tagTrue    = 't'
	tagFalse   = 'f'
	tagInt     = 'i'
	tagInt64   = 'l'
	tagFloat64 = 'd'
)

// Serialize encodes src: a session's values in this package's format when
// every key and value has a supported type, otherwise (and for anything but
// a map[interface{}]interface{}) exactly as securecookie.GobEncoder does.
func (Serializer) Serialize(src interface{}) ([]byte, error) {
	m, ok := src.(map[interface{}]interface{})
	if !ok {
		return securecookie.GobEncoder{}.Serialize(src)
	}
	size, ok := encodedSize(m)
	if !ok {
		return securecookie.GobEncoder{}.Serialize(src)
	}
	b := make([]byte, 0, size)
	b = append(b, marker, version)
	b = binary.AppendUvarint(b, uint64(len(m)))
	for k, v := range m {
		b = appendBytes(b, k.(string))
		switch v := v.(type) {
		case string:
			b = appendBytes(append(b, tagString), v)
		case []byte:
			b = appendBytes(append(b, tagBytes), v)
		case bool:
			if v {
				b = append(b, tagTrue)
			} else {
				b = append(b, tagFalse)
			}
		case int:
			b = binary.AppendVarint(append(b, tagInt), int64(v))
		case int64:
			b = binary.AppendVarint(append(b, tagInt64), v)
		case float64:
			b = binary.BigEndian.AppendUint64(append(b, tagFloat64), math.Float64bits(v))
		}
	}
	return b, nil
}

// encodedSize is an upper bound of m's encoded length, and false when a key
// or value has a type the format does not hold.
func encodedSize(m map[interface{}]interface{}) (int, bool) {
	n := 2 + binary.MaxVarintLen64
	for k, v := range m {
		ks, ok := k.(string)
		if !ok {
			return 0, false
		}
		n += binary.MaxVarintLen64 + len(ks) + 1
		switch v := v.(type) {
		case string:
			n += binary.MaxVarintLen64 + len(v)
		case []byte:
			n += binary.MaxVarintLen64 + len(v)
		case bool:
		case int, int64:
			n += binary.MaxVarintLen64
		case float64:
			n += 8
		default:
			return 0, false
		}
	}
	return n, true
}

func appendBytes[T string | []byte](b []byte, s T) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}
