package cookiestore

import (
	"encoding/binary"
	"math"

	"github.com/gorilla/securecookie"
)

// Deserialize decodes src into dst. Input that starts with this package's
// marker must be a complete, canonical encoding (see the Err variables) and
// dst a *map[interface{}]interface{}, the type gorilla's stores pass; its
// entries are added to the map (made when nil), with each value of the
// type it was stored with (an empty []byte reads back as a nil one, as it
// does with gob). Any other input is decoded by
// securecookie.GobEncoder, so cookies a gob-encoding store wrote still read.
// On an error dst is left as it was, in either format.
func (Serializer) Deserialize(src []byte, dst interface{}) error {
	if len(src) == 0 || src[0] != marker {
		return deserializeGob(src, dst)
	}
	p, ok := dst.(*map[interface{}]interface{})
	if !ok || p == nil {
		return ErrDestination
	}
	if len(src) < 2 {
		return ErrTruncated
	}
	if src[1] != version {
		return ErrVersion
	}
	d := decoder{all: string(src), i: 2}
	n, err := d.uvarint()
	if err != nil {
		return err
	}
	// Each entry takes at least two bytes (an empty key and a bool), so a
	// count beyond that is a lie that must not size an allocation.
	if n > uint64(len(d.all)-d.i)/2 {
		return ErrTruncated
	}
	// The common case decodes straight into the empty map gorilla made
	// and empties it again on an error; a nil map or one with entries
	// gets a fresh map, used only when the whole input decoded.
	m := *p
	direct := m != nil && len(m) == 0
	into := m
	if !direct {
		into = make(map[interface{}]interface{}, n)
	}
	if err := d.entries(into, int(n)); err != nil {
		if direct {
			clear(into)
		}
		return err
	}
	switch {
	case m == nil:
		*p = into
	case !direct:
		for k, v := range into {
			m[k] = v
		}
	}
	return nil
}

// decoder reads the entries of one encoding; all is the whole input as one
// string, so that keys and string values share a single allocation.
type decoder struct {
	all string
	i   int
}

func (d *decoder) entries(m map[interface{}]interface{}, n int) error {
	for range n {
		k, err := d.str()
		if err != nil {
			return err
		}
		if _, dup := m[k]; dup {
			return ErrDuplicateKey
		}
		v, err := d.value()
		if err != nil {
			return err
		}
		m[k] = v
	}
	if d.i != len(d.all) {
		return ErrTrailing
	}
	return nil
}

func (d *decoder) value() (interface{}, error) {
	if d.i >= len(d.all) {
		return nil, ErrTruncated
	}
	tag := d.all[d.i]
	d.i++
	switch tag {
	case tagString:
		return d.str()
	case tagBytes:
		s, err := d.str()
		if err != nil || s == "" {
			return []byte(nil), err // gob too reads an empty []byte back as nil
		}
		return []byte(s), nil
	case tagTrue:
		return true, nil
	case tagFalse:
		return false, nil
	case tagInt:
		v, err := d.varint()
		if err != nil {
			return nil, err
		}
		if int64(int(v)) != v {
			return nil, ErrRange
		}
		return int(v), nil
	case tagInt64:
		return d.varint()
	case tagFloat64:
		if len(d.all)-d.i < 8 {
			return nil, ErrTruncated
		}
		var bits uint64
		for _, c := range []byte(d.all[d.i : d.i+8]) {
			bits = bits<<8 | uint64(c)
		}
		d.i += 8
		return math.Float64frombits(bits), nil
	}
	return nil, ErrUnknownTag
}

// str reads a uvarint length and that many bytes.
func (d *decoder) str() (string, error) {
	n, err := d.uvarint()
	if err != nil {
		return "", err
	}
	if n > uint64(len(d.all)-d.i) {
		return "", ErrTruncated
	}
	s := d.all[d.i : d.i+int(n)]
	d.i += int(n)
	return s, nil
}

// uvarint reads a minimal unsigned varint.
func (d *decoder) uvarint() (uint64, error) {
	rest := d.all[d.i:]
	var x uint64
	for j := 0; j < len(rest); j++ {
		c := rest[j]
		if j == binary.MaxVarintLen64-1 && c > 1 {
			return 0, ErrRange
		}
		x |= uint64(c&0x7f) << (7 * j)
		if c < 0x80 {
			if c == 0 && j > 0 {
				return 0, ErrNonMinimal
			}
			d.i += j + 1
			return x, nil
		}
	}
	return 0, ErrTruncated
}

// varint reads a minimal zigzag varint.
func (d *decoder) varint() (int64, error) {
	ux, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x, nil
}

// deserializeGob decodes a gob cookie. A session map is decoded into a map
// of its own and merged into dst only when the whole stream decoded: gob
// stops at the first value it cannot decode (a type no longer registered
// after a deploy) with the entries before it already in its destination,
// and a session half filled that way would be used as if it were whole.
func deserializeGob(src []byte, dst interface{}) error {
	p, ok := dst.(*map[interface{}]interface{})
	if !ok || p == nil {
		return securecookie.GobEncoder{}.Deserialize(src, dst)
	}
	var fresh map[interface{}]interface{}
	if err := (securecookie.GobEncoder{}).Deserialize(src, &fresh); err != nil {
		return err
	}
	if *p == nil {
		*p = fresh
		return nil
	}
	for k, v := range fresh {
		(*p)[k] = v
	}
	return nil
}
