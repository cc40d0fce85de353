package preset

import (
	"encoding/json"
	"strconv"
)

// Str returns the string at path in m (nested objects, one key per
// level), or "" when a key is missing or the value is not a string.
func Str(m map[string]any, path ...string) string {
	s, _ := At(m, path...).(string)
	return s
}

// ID returns the value at path as a string: a string as it is, a JSON
// number as an integer (providers send numeric user IDs), else "".
func ID(m map[string]any, path ...string) string {
	switch v := At(m, path...).(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case json.Number:
		return v.String()
	}
	return ""
}

// Bool returns the boolean at path, false when it is missing or not a
// boolean.
func Bool(m map[string]any, path ...string) bool {
	b, _ := At(m, path...).(bool)
	return b
}

// Obj returns the object at path, or nil.
func Obj(m map[string]any, path ...string) map[string]any {
	o, _ := At(m, path...).(map[string]any)
	return o
}

// At returns the value at path in m, or nil.
func At(m map[string]any, path ...string) any {
	var v any = m
	for _, k := range path {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}
