package blueprint

import (
	"net/url"
	"strings"
)

// maxNextLen bounds the next path kept in a login transaction.
const maxNextLen = 1024

// SafeNext reports whether next is a same-site absolute path that is safe to
// redirect to after login, and returns it. It refuses anything a browser could
// read as another origin (RFC 9700 §4.11, open redirectors): scheme-relative
// "//host", "/\host" and "\/host", absolute URLs and "javascript:", control
// characters, tabs and newlines, backslashes, and the percent-encoded forms of
// all these, decoded up to three times.
func SafeNext(next string) (string, bool) {
	if next == "" || len(next) > maxNextLen || next[0] != '/' {
		return "", false
	}
	s := next
	for range 4 {
		if !safePathForm(s) {
			return "", false
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return "", false
		}
		if d == s {
			break
		}
		s = d
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return "", false
	}
	return next, true
}

// safePathForm checks one decoding of a candidate path.
func safePathForm(s string) bool {
	if len(s) == 0 || s[0] != '/' {
		return false
	}
	if len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return false
	}
	if strings.ContainsRune(s, '\\') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}
