package cookiestore

import (
	"bytes"
	"math"
	"testing"
)

// sameValues is reflect.DeepEqual for sessions, except that floats compare
// by bits (NaN equals itself) and an empty []byte equals nil.
func sameValues(a, b values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok {
			return false
		}
		switch av := av.(type) {
		case float64:
			bf, ok := bv.(float64)
			if !ok || math.Float64bits(av) != math.Float64bits(bf) {
				return false
			}
		case []byte:
			bb, ok := bv.([]byte)
			if !ok || !bytes.Equal(av, bb) {
				return false
			}
		default:
			if av != bv {
				return false
			}
		}
	}
	return true
}

// FuzzSerializer checks two properties: a session of supported values
// built from the fuzzer's arguments comes back unchanged, and arbitrary
// input (in this format or gob's) never panics, and when it decodes in
// this format, re-encoding what it decoded gives the same session back.
func FuzzSerializer(f *testing.F) {
	seed, _ := Serializer{}.Serialize(values{"k": "v", "n": 3, "l": int64(-4), "t": true, "f": 1.5, "b": []byte{1}})
	f.Add(seed, "key", "value", int64(-1), 0.5, true, []byte("raw"))
	f.Add([]byte{marker, version, 2, 1, 'k', tagTrue, 1, 'k', tagFalse}, "", "", int64(math.MinInt64), math.NaN(), false, []byte(nil))
	f.Add([]byte{0x0e, 0xff, 0x81, 0x04, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x10, 0x01, 0x10, 0x00, 0x00}, "\xff", "\x00", int64(1)<<40, math.Inf(-1), true, []byte{0})
	f.Fuzz(func(t *testing.T, data []byte, key, s string, i int64, fl float64, b bool, raw []byte) {
		m := values{key: s, key + "i": int(i), key + "l": i, key + "f": fl, key + "b": b, key + "r": raw}
		enc, err := Serializer{}.Serialize(m)
		if err != nil {
			t.Fatalf("Serialize(%#v): %v", m, err)
		}
		got := values{}
		if err := (Serializer{}).Deserialize(enc, &got); err != nil || !sameValues(got, m) {
			t.Fatalf("round trip of %#v: %#v, %v", m, got, err)
		}

		dec := values{}
		if err := (Serializer{}).Deserialize(data, &dec); err != nil || len(data) == 0 || data[0] != marker {
			return
		}
		again, err := Serializer{}.Serialize(dec)
		if err != nil {
			t.Fatalf("re-encoding %#v: %v", dec, err)
		}
		if len(again) != len(data) {
			// Canonical: the same entries in any order take as many bytes.
			t.Fatalf("%x decoded to %#v, which re-encodes to %d bytes, not %d", data, dec, len(again), len(data))
		}
		back := values{}
		if err := (Serializer{}).Deserialize(again, &back); err != nil || !sameValues(back, dec) {
			t.Fatalf("%x: decoded %#v, re-decoded %#v, %v", data, dec, back, err)
		}
	})
}
