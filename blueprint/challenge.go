package blueprint

import (
	"net/http"
	"strings"
)

// challenge is one authentication challenge of a WWW-Authenticate field
// (RFC 9110 §11.6.1): a scheme and either a token68 or auth-params.
type challenge struct {
	scheme  string            // as sent; compare with is
	token68 string            // "" when the challenge has auth-params or nothing
	params  map[string]string // names lower-cased (§11.2: case-insensitive), quoted values unescaped
}

// is reports whether the challenge's scheme is scheme (case-insensitive,
// RFC 9110 §11.1).
func (ch challenge) is(scheme string) bool { return strings.EqualFold(ch.scheme, scheme) }

// param returns the value of the auth-param name ("" when absent).
func (ch challenge) param(name string) string { return ch.params[strings.ToLower(name)] }

// parseChallenges parses the values of every WWW-Authenticate (or
// Proxy-Authenticate) field line of a response, in order, as
// RFC 9110 §11.6.1 and §11.3 define them:
//
//	challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//	auth-param  = token BWS "=" BWS ( token / quoted-string )
//	token68     = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//
// One line may hold several challenges separated by commas, which also
// separate a challenge's auth-params: an element that is a token followed
// by "=" is a parameter of the challenge before it, any other starts the
// next challenge. Empty list elements are skipped (§5.6.1). A line is read
// up to its first syntax error: the challenge the error falls in is
// dropped (as is one naming a parameter twice, §11.2), the complete ones
// before it are kept, and the next line is read afresh.
func parseChallenges(lines []string) []challenge {
	var out []challenge
	for _, line := range lines {
		p := challengeParser{s: line}
		out = p.all(out)
	}
	return out
}

// ChallengeParam returns the auth-param name of the first challenge with
// the given scheme among h's WWW-Authenticate fields, parsed as RFC 9110
// §11.6.1 defines them (several challenges per field, quoted values
// unescaped), and whether that challenge has it: for example the error
// code of a Bearer challenge (RFC 6750 §3) in a resource server's answer,
// ChallengeParam(resp.Header, "Bearer", "error").
func ChallengeParam(h http.Header, scheme, name string) (string, bool) {
	for _, ch := range parseChallenges(h.Values("WWW-Authenticate")) {
		if ch.is(scheme) {
			v, ok := ch.params[strings.ToLower(name)]
			return v, ok
		}
	}
	return "", false
}

// challengeParser reads one field line.
type challengeParser struct {
	s string
	i int
}

// all appends the line's challenges to out.
func (p *challengeParser) all(out []challenge) []challenge {
	for {
		p.skipList()
		if p.i == len(p.s) {
			return out
		}
		ch, ok := p.challenge()
		if !ok {
			return out
		}
		out = append(out, ch)
	}
}

// challenge reads one challenge starting at a scheme; on return the parser
// stands at the end of the line or at the comma after the challenge.
func (p *challengeParser) challenge() (challenge, bool) {
	scheme := p.token()
	if scheme == "" {
		return challenge{}, false
	}
	ch := challenge{scheme: scheme}
	if p.i == len(p.s) || p.s[p.i] == ',' {
		return ch, true
	}
	if p.s[p.i] != ' ' { // 1*SP between scheme and what follows
		return challenge{}, false
	}
	p.skipSpace()
	if p.i == len(p.s) || p.s[p.i] == ',' {
		return ch, true
	}
	// token68 or the first auth-param: an auth-param is tried first, since
	// "a=b" would otherwise read as the token68 "a=" followed by junk.
	start := p.i
	if name, value, ok := p.param(); ok {
		ch.params = map[string]string{name: value}
	} else {
		p.i = start
		ch.token68 = p.token68()
		if ch.token68 == "" || !p.elementEnd() {
			return challenge{}, false
		}
		return ch, true
	}
	// More auth-params, until an element that is not one.
	for {
		if !p.elementEnd() {
			return challenge{}, false
		}
		before := p.i
		p.skipList()
		if p.i == len(p.s) {
			return ch, true
		}
		start := p.i
		if !p.paramAhead() {
			p.i = before // the next challenge; all skips its comma
			return ch, true
		}
		p.i = start
		name, value, ok := p.param()
		if !ok {
			return challenge{}, false
		}
		if _, dup := ch.params[name]; dup {
			return challenge{}, false
		}
		ch.params[name] = value
	}
}

// param reads token BWS "=" BWS ( token / quoted-string ).
func (p *challengeParser) param() (name, value string, ok bool) {
	name = p.token()
	if name == "" {
		return "", "", false
	}
	p.skipSpace()
	if p.i == len(p.s) || p.s[p.i] != '=' {
		return "", "", false
	}
	p.i++
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '"' {
		value, ok = p.quoted()
	} else {
		value = p.token()
		ok = value != ""
	}
	return strings.ToLower(name), value, ok
}

// paramAhead reports whether the element at the parser is an auth-param
// (a token, BWS, then "="); it moves the parser.
func (p *challengeParser) paramAhead() bool {
	if p.token() == "" {
		return false
	}
	p.skipSpace()
	return p.i < len(p.s) && p.s[p.i] == '='
}

// elementEnd skips OWS and reports whether the parser then stands at the
// end of the line or at a comma.
func (p *challengeParser) elementEnd() bool {
	p.skipSpace()
	return p.i == len(p.s) || p.s[p.i] == ','
}

// skipList skips OWS and commas: list separators and empty elements.
func (p *challengeParser) skipList() {
	for p.i < len(p.s) && (p.s[p.i] == ',' || p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// skipSpace skips OWS.
func (p *challengeParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// token reads 1*tchar (RFC 9110 §5.6.2); "" when there is none.
func (p *challengeParser) token() string {
	start := p.i
	for p.i < len(p.s) && isTchar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// token68 reads 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
// *"=" (RFC 9110 §11.2); "" when there is none.
func (p *challengeParser) token68() string {
	start := p.i
	for p.i < len(p.s) && isToken68Char(p.s[p.i]) {
		p.i++
	}
	if p.i == start {
		return ""
	}
	for p.i < len(p.s) && p.s[p.i] == '=' {
		p.i++
	}
	return p.s[start:p.i]
}

// quoted reads a quoted-string (RFC 9110 §5.6.4) and returns its content
// with quoted-pairs unescaped.
func (p *challengeParser) quoted() (string, bool) {
	p.i++ // the opening DQUOTE
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), true
		case c == '\\':
			if p.i+1 == len(p.s) || !isQuotedPairChar(p.s[p.i+1]) {
				return "", false
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		case isQdtext(c):
			b.WriteByte(c)
			p.i++
		default:
			return "", false
		}
	}
	return "", false // no closing DQUOTE
}

// isTchar reports whether c is a tchar (RFC 9110 §5.6.2).
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isToken68Char reports whether c may appear in a token68 before its
// trailing "=" padding (RFC 9110 §11.2).
func isToken68Char(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~+/", c) >= 0
}

// isQdtext reports whether c is qdtext: HTAB, SP, VCHAR but DQUOTE and
// backslash, or obs-text (RFC 9110 §5.6.4).
func isQdtext(c byte) bool {
	return c == '\t' || c == ' ' || c == 0x21 || (0x23 <= c && c <= 0x5B) || (0x5D <= c && c <= 0x7E) || c >= 0x80
}

// isQuotedPairChar reports whether c may follow a backslash in a
// quoted-string: HTAB, SP, VCHAR or obs-text (RFC 9110 §5.6.4).
func isQuotedPairChar(c byte) bool {
	return c == '\t' || (0x20 <= c && c <= 0x7E) || c >= 0x80
}
