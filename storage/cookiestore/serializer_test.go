package cookiestore

import (
	"encoding/gob"
	"errors"
	"maps"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
)

type values = map[interface{}]interface{}

// roundTrip serialises m and deserialises it into the empty map gorilla
// passes, checking the bytes are in this package's format.
func roundTrip(t *testing.T, m values) values {
	t.Helper()
	b, err := Serializer{}.Serialize(m)
	if err != nil {
		t.Fatalf("Serialize: %v", err)
	}
	if len(b) < 2 || b[0] != marker || b[1] != version {
		t.Fatalf("Serialize(%#v) = %x: not this package's format", m, b)
	}
	got := values{}
	if err := (Serializer{}).Deserialize(b, &got); err != nil {
		t.Fatalf("Deserialize(%x): %v", b, err)
	}
	return got
}

// Every supported type comes back with the type it went in with:
// reflect.DeepEqual compares an interface's dynamic type, so an int that
// came back as int64, or a []byte as a string, fails.
func TestRoundTripTypes(t *testing.T) {
	for _, v := range []interface{}{
		"", "gindance:idp:token", "ünïcode \x00 bytes \xff",
		[]byte{0, 1, 2, 0xff},
		true, false,
		0, 1, -1, 127, 128, -129, math.MaxInt, math.MinInt,
		int64(0), int64(300), int64(math.MaxInt64), int64(math.MinInt64),
		0.0, 1.5, -2.25e300, math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64,
	} {
		m := values{"k": v}
		if got := roundTrip(t, m); !reflect.DeepEqual(got, m) {
			t.Errorf("%#v came back as %#v", m, got)
		}
	}
}

func TestRoundTripFloatBits(t *testing.T) {
	for _, f := range []float64{math.NaN(), math.Copysign(0, -1)} {
		got := roundTrip(t, values{"f": f})["f"].(float64)
		if math.Float64bits(got) != math.Float64bits(f) {
			t.Errorf("%v came back as %v", f, got)
		}
	}
}

// An empty or nil []byte reads back as a nil []byte: gob, which the store
// used before, does the same, so no app sees a change.
func TestRoundTripEmptyBytes(t *testing.T) {
	for _, b := range [][]byte{nil, {}} {
		got, ok := roundTrip(t, values{"b": b})["b"].([]byte)
		if !ok || got != nil {
			t.Errorf("%#v came back as %#v", b, got)
		}
		var gob values
		enc, _ := securecookie.GobEncoder{}.Serialize(values{"b": b})
		_ = securecookie.GobEncoder{}.Deserialize(enc, &gob)
		if gb := gob["b"].([]byte); gb != nil {
			t.Errorf("gob reads %#v back as %#v; this package no longer matches it", b, gb)
		}
	}
}

// A session as gindance leaves it, with app values of every type beside.
func TestRoundTripMixed(t *testing.T) {
	m := values{
		"gindance:idp:token":      `{"access_token":"gta_x","token_type":"Bearer","expiry":"2026-01-01T00:00:00Z"}`,
		"gindance:browser-id":     "c2Vzc2lvbi1pZA",
		"gindance:idp:tx":         `[{"key":"k","state":"s"}]`,
		"user_id":                 42,
		"tenant":                  int64(7),
		"admin":                   true,
		"banned":                  false,
		"score":                   0.75,
		"csrf":                    []byte("0123456789abcdef"),
		"":                        "empty key",
		string(make([]byte, 300)): "a key longer than one varint byte",
	}
	if got := roundTrip(t, m); !reflect.DeepEqual(got, m) {
		t.Errorf("round trip changed the session:\n got %#v\nwant %#v", got, m)
	}
	if got := roundTrip(t, values{}); len(got) != 0 {
		t.Errorf("empty session came back as %#v", got)
	}
}

type flash struct{ Text string }

// A session holding anything else is gob, exactly as securecookie's
// GobEncoder writes it: one-entry maps, because gob's map order (and so
// its bytes) varies between runs for larger ones.
func TestFallbackIsGob(t *testing.T) {
	gob.Register(time.Time{})
	for _, m := range []values{
		{"_flash": []interface{}{"saved"}},     // gin-contrib/sessions' AddFlash
		{"at": time.Unix(1700000000, 0).UTC()}, // gob.Register(time.Time{}) above, as apps do
		{"n": nil},
		{"u": uint(3)},
		{"i32": int32(3)},
		{"f32": float32(1.5)},
		{"s": []string{"a"}},
		{7: "an int key"},
		{"named": myString("x")},
		{"unregistered": struct{ A int }{1}},
	} {
		got, err := Serializer{}.Serialize(m)
		want, gobErr := securecookie.GobEncoder{}.Serialize(m)
		if gobErr != nil {
			// A type gob cannot encode fails as it did with gob.
			if err == nil || err.Error() != gobErr.Error() {
				t.Errorf("Serialize(%#v) = %v, GobEncoder failed with %v", m, err, gobErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Serialize(%#v): %v", m, err)
		}
		if string(got) != string(want) {
			t.Errorf("Serialize(%#v) = %x, GobEncoder wrote %x", m, got, want)
		}
		back := values{}
		if err := (Serializer{}).Deserialize(got, &back); err != nil || !reflect.DeepEqual(back, m) {
			t.Errorf("Deserialize of the gob fallback: %#v, %v; want %#v", back, err, m)
		}
	}
	// One unsupported value sends the whole map to gob.
	m := values{"user_id": 42, "name": "ada", "at": time.Unix(1700000000, 0).UTC()}
	b, err := Serializer{}.Serialize(m)
	if err != nil || b[0] == marker {
		t.Fatalf("mixed map: %x, %v; want gob", b, err)
	}
	var back values
	if err := (securecookie.GobEncoder{}).Deserialize(b, &back); err != nil || !reflect.DeepEqual(back, m) {
		t.Errorf("gob reads the fallback as %#v, %v", back, err)
	}
	// Values that are not a session map at all are gob's too.
	one := values{"k": "v"}
	for _, v := range []interface{}{"a string", 42, &one, map[string]interface{}{"k": "v"}} {
		got, _ := Serializer{}.Serialize(v)
		want, _ := securecookie.GobEncoder{}.Serialize(v)
		if string(got) != string(want) {
			t.Errorf("Serialize(%T) = %x, GobEncoder wrote %x", v, got, want)
		}
	}
}

type myString string

// The claim that keeps the formats apart: no gob stream starts with 0x00.
func TestGobNeverStartsWithMarker(t *testing.T) {
	for _, v := range []interface{}{values{}, values{"k": "v"}, "", 0, false, []byte{}, values{"big": string(make([]byte, 3000))}} {
		b, err := securecookie.GobEncoder{}.Serialize(v)
		if err != nil {
			t.Fatal(err)
		}
		if b[0] == marker {
			t.Errorf("gob of %T starts with the marker: %x", v, b[:8])
		}
	}
}

// The bytes of a session as gindance leaves it after a login: the
// token's JSON and the browser id, beside what gob writes for the same.
func TestSmallerThanGob(t *testing.T) {
	m := values{
		"gindance:idp:token":  `{"access_token":"gta_0123456789abcdef0123456789abcdef","token_type":"Bearer","refresh_token":"gtr_0123456789abcdef0123456789abcdef","expiry":"2026-12-03T09:00:00Z","scopes":["profile"]}`,
		"gindance:browser-id": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	}
	ours, _ := Serializer{}.Serialize(m)
	gob, _ := securecookie.GobEncoder{}.Serialize(m)
	content := 0
	for k, v := range m {
		content += len(k.(string)) + len(v.(string))
	}
	// 3 (marker, version, count) + per entry a key length, a tag and a
	// value length (2 bytes for the 185-byte token).
	if overhead := len(ours) - content; overhead != 3+(1+1+2)+(1+1+1) {
		t.Errorf("our encoding is %d bytes, %d beyond the %d of keys and values; want 10", len(ours), overhead, content)
	}
	// gob describes map[interface{}]interface{} and names "string" before
	// each value.
	if len(ours) != 275 || len(gob) != 332 {
		t.Errorf("ours %d bytes, gob %d; want 275 and 332", len(ours), len(gob))
	}
}

// Malformed input in this package's format is refused with the error that
// names the fault, and the destination is left as it was.
func TestDeserializeMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"marker only", []byte{marker}, ErrTruncated},
		{"unknown version", []byte{marker, 2, 0}, ErrVersion},
		{"version 0", []byte{marker, 0, 0}, ErrVersion},
		{"no count", []byte{marker, version}, ErrTruncated},
		{"count beyond the input", []byte{marker, version, 2, 1, 'k', tagTrue}, ErrTruncated},
		{"huge count", []byte{marker, version, 0xff, 0xff, 0xff, 0xff, 0x0f}, ErrTruncated},
		{"missing entry", []byte{marker, version, 1}, ErrTruncated},
		{"trailing byte", []byte{marker, version, 1, 1, 'k', tagTrue, 0}, ErrTrailing},
		{"entries after count 0", []byte{marker, version, 0, 1, 'k', tagTrue}, ErrTrailing},
		{"key cut short", []byte{marker, version, 1, 5, 'k', 'e', tagTrue}, ErrTruncated},
		{"no tag", []byte{marker, version, 1, 1, 'k'}, ErrTruncated},
		{"unknown tag", []byte{marker, version, 1, 1, 'k', 'z'}, ErrUnknownTag},
		{"string cut short", []byte{marker, version, 1, 1, 'k', tagString, 3, 'a'}, ErrTruncated},
		{"bytes length missing", []byte{marker, version, 1, 1, 'k', tagBytes}, ErrTruncated},
		{"int missing", []byte{marker, version, 1, 1, 'k', tagInt}, ErrTruncated},
		{"int varint unterminated", []byte{marker, version, 1, 1, 'k', tagInt64, 0x80}, ErrTruncated},
		{"float cut short", []byte{marker, version, 1, 1, 'k', tagFloat64, 0, 0, 0, 0, 0, 0, 0}, ErrTruncated},
		{"duplicate key", []byte{marker, version, 2, 1, 'k', tagTrue, 1, 'k', tagFalse}, ErrDuplicateKey},
		{"non-minimal count", []byte{marker, version, 0x81, 0x00, 1, 'k', tagTrue}, ErrNonMinimal},
		{"non-minimal key length", []byte{marker, version, 1, 0x81, 0x00, 'k', tagTrue}, ErrNonMinimal},
		{"non-minimal int", []byte{marker, version, 1, 1, 'k', tagInt, 0x82, 0x80, 0x00}, ErrNonMinimal},
		{"varint over 64 bits", []byte{marker, version, 1, 1, 'k', tagInt64, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, ErrRange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			empty := values{}
			if err := (Serializer{}).Deserialize(tc.in, &empty); !errors.Is(err, tc.want) {
				t.Errorf("Deserialize(%x) = %v, want %v", tc.in, err, tc.want)
			}
			if len(empty) != 0 {
				t.Errorf("an empty destination was left with %#v", empty)
			}
			full := values{"old": "value"}
			if err := (Serializer{}).Deserialize(tc.in, &full); !errors.Is(err, tc.want) {
				t.Errorf("into a full map: %v, want %v", err, tc.want)
			}
			if !reflect.DeepEqual(full, values{"old": "value"}) {
				t.Errorf("a destination with entries was changed to %#v", full)
			}
		})
	}
}

func TestDeserializeDestination(t *testing.T) {
	b, _ := Serializer{}.Serialize(values{"k": "v"})
	var s string
	for _, dst := range []interface{}{&s, values{}, (*values)(nil), nil} {
		if err := (Serializer{}).Deserialize(b, dst); !errors.Is(err, ErrDestination) {
			t.Errorf("Deserialize into %T = %v, want ErrDestination", dst, err)
		}
	}
	// A nil map is made; a map with entries gets the new ones beside them,
	// as gob does.
	var nilMap values
	if err := (Serializer{}).Deserialize(b, &nilMap); err != nil || !reflect.DeepEqual(nilMap, values{"k": "v"}) {
		t.Errorf("into a nil map: %#v, %v", nilMap, err)
	}
	full := values{"old": 1}
	if err := (Serializer{}).Deserialize(b, &full); err != nil || !reflect.DeepEqual(full, values{"old": 1, "k": "v"}) {
		t.Errorf("into a map with entries: %#v, %v", full, err)
	}
}

// goneType is a session value whose gob name a test rewrites to one that
// is not registered, as after a deploy that dropped a gob.Register.
type goneType struct{ A int }

// A gob cookie that fails partway (a value of a type no longer registered)
// leaves the session as it was: gob alone stops with the entries before
// the bad one already in the map, a session half filled that gin-contrib
// would go on using.
func TestGobCookieFailingPartwayLeavesTheSessionAlone(t *testing.T) {
	gob.RegisterName("gindance-test.Gone", goneType{})
	m := values{"bad": goneType{1}}
	for i := range 20 {
		m[i] = "token"
	}
	var stream []byte
	for range 100 { // until gob's map order puts a good entry first
		b, err := securecookie.GobEncoder{}.Serialize(m)
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(strings.Replace(string(b), "gindance-test.Gone", "gindance-test.Lost", 1))
		partial := values{}
		if (securecookie.GobEncoder{}).Deserialize(b, &partial) != nil && len(partial) > 0 {
			stream = b
			break
		}
	}
	if stream == nil {
		t.Fatal("could not make a gob stream that fails after its first entry")
	}
	for _, dst := range []values{{}, {"kept": true}, nil} {
		before := maps.Clone(dst)
		err := Serializer{}.Deserialize(stream, &dst)
		if err == nil || !reflect.DeepEqual(dst, before) {
			t.Fatalf("Deserialize into %v: %v, and the session became %v", before, err, dst)
		}
	}
	good, _ := securecookie.GobEncoder{}.Serialize(values{"a": "b"})
	dst := values{"kept": true}
	if err := (Serializer{}).Deserialize(good, &dst); err != nil || !reflect.DeepEqual(dst, values{"kept": true, "a": "b"}) {
		t.Fatalf("a good gob cookie: %v, %v", err, dst)
	}
}
