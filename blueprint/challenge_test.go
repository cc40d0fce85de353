package blueprint

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestParseChallengesRFC9110 checks the WWW-Authenticate parser against
// the grammar of RFC 9110 §11.6.1 and §11.2: several challenges in one
// line, commas between challenges and between auth-params, token68,
// quoted-strings with escapes, BWS around "=", empty list elements, and
// several field lines; malformed challenges are dropped, not guessed at.
func TestParseChallengesRFC9110(t *testing.T) {
	type P = map[string]string
	tests := []struct {
		name  string
		lines []string
		want  []challenge
	}{
		{"none", nil, nil},
		{"empty line", []string{""}, nil},
		{"only commas", []string{" , ,\t,"}, nil},
		{"scheme alone", []string{"Bearer"}, []challenge{{scheme: "Bearer"}}},
		{"scheme and trailing space", []string{"Bearer  "}, []challenge{{scheme: "Bearer"}}},
		{"RFC 6750 §3 example", []string{`Bearer realm="example"`},
			[]challenge{{scheme: "Bearer", params: P{"realm": "example"}}}},
		{"RFC 6750 §3 invalid_token", []string{`Bearer realm="example", error="invalid_token", error_description="The access token expired"`},
			[]challenge{{scheme: "Bearer", params: P{"realm": "example", "error": "invalid_token", "error_description": "The access token expired"}}}},
		{"RFC 9449 §7.2: Bearer and DPoP in one line", []string{`Bearer, DPoP error="use_dpop_nonce", algs="ES256"`},
			[]challenge{{scheme: "Bearer"}, {scheme: "DPoP", params: P{"error": "use_dpop_nonce", "algs": "ES256"}}}},
		{"RFC 9449 §7.1 example", []string{`DPoP algs="ES256 PS256"`},
			[]challenge{{scheme: "DPoP", params: P{"algs": "ES256 PS256"}}}},
		{"RFC 9110 §11.6.1 example", []string{`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`},
			[]challenge{{scheme: "Newauth", params: P{"realm": "apps", "type": "1", "title": `Login to "apps"`}},
				{scheme: "Basic", params: P{"realm": "simple"}}}},
		{"two lines, as before a proxy merges them", []string{`Bearer realm="a"`, `DPoP error="use_dpop_nonce"`},
			[]challenge{{scheme: "Bearer", params: P{"realm": "a"}}, {scheme: "DPoP", params: P{"error": "use_dpop_nonce"}}}},
		{"comma inside a quoted-string is not a separator", []string{`Basic realm="a, DPoP error=x", DPoP algs="ES256"`},
			[]challenge{{scheme: "Basic", params: P{"realm": "a, DPoP error=x"}}, {scheme: "DPoP", params: P{"algs": "ES256"}}}},
		{"escaped backslash then the closing quote", []string{`Basic realm="a\\", DPoP error="e"`},
			[]challenge{{scheme: "Basic", params: P{"realm": `a\`}}, {scheme: "DPoP", params: P{"error": "e"}}}},
		{"token68", []string{`Negotiate YIIF+/v=, Basic realm="x"`},
			[]challenge{{scheme: "Negotiate", token68: "YIIF+/v="}, {scheme: "Basic", params: P{"realm": "x"}}}},
		{"token68 of padding after one char", []string{`Foo a==`}, []challenge{{scheme: "Foo", token68: "a=="}}},
		{"token68 that looks like a param without value", []string{`Foo a=`}, []challenge{{scheme: "Foo", token68: "a="}}},
		{"BWS around =, names case-insensitive", []string{"DPoP ERROR = \"use_dpop_nonce\" ,\tAlgs=ES256"},
			[]challenge{{scheme: "DPoP", params: P{"error": "use_dpop_nonce", "algs": "ES256"}}}},
		{"empty elements between params and challenges", []string{`, Bearer realm="a" ,, error="b", , DPoP ,`},
			[]challenge{{scheme: "Bearer", params: P{"realm": "a", "error": "b"}}, {scheme: "DPoP"}}},
		{"empty quoted value", []string{`Bearer realm=""`}, []challenge{{scheme: "Bearer", params: P{"realm": ""}}}},
		{"obs-text in a quoted value", []string{"Basic realm=\"caf\xc3\xa9\""}, []challenge{{scheme: "Basic", params: P{"realm": "caf\xc3\xa9"}}}},

		{"unterminated quoted-string drops the challenge", []string{`Bearer, DPoP error="use_dpop_nonce`}, []challenge{{scheme: "Bearer"}}},
		{"bad escape drops the challenge", []string{"DPoP error=\"a\\\x01\""}, nil},
		{"control character in quoted-string", []string{"DPoP error=\"a\x01\""}, nil},
		{"unquoted value with a space", []string{`Bearer, DPoP algs=ES256 RS256, error="use_dpop_nonce"`}, []challenge{{scheme: "Bearer"}}},
		{"duplicate parameter (RFC 9110 §11.2)", []string{`DPoP error="invalid_token", error="use_dpop_nonce"`}, nil},
		{"param after token68", []string{`Foo abc==, x=y`}, []challenge{{scheme: "Foo", token68: "abc=="}}},
		{"scheme glued to a quote", []string{`Bearer"x"`}, nil},
		{"scheme then tab is not 1*SP", []string{"Bearer\trealm=\"x\""}, nil},
		{"bad line does not spoil the next", []string{`DPoP error="x`, `DPoP error="use_dpop_nonce"`},
			[]challenge{{scheme: "DPoP", params: P{"error": "use_dpop_nonce"}}}},
		{"leading junk", []string{`"x", Bearer`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseChallenges(tt.lines)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseChallenges(%q)\n got %#v\nwant %#v", tt.lines, got, tt.want)
			}
		})
	}
}

func TestChallengeAccessors(t *testing.T) {
	chs := parseChallenges([]string{`dpop Error="use_dpop_nonce"`})
	if len(chs) != 1 || !chs[0].is("DPoP") || chs[0].param("ERROR") != "use_dpop_nonce" || chs[0].param("algs") != "" {
		t.Fatalf("accessors on %#v", chs)
	}
}

// FuzzChallenges checks, for any field line, that what the parser returns
// is well-formed (schemes and parameter names are tokens, names
// lower-case), that writing it back out canonically and parsing again
// gives the same challenges, and that two lines merged into one by a
// proxy (RFC 9110 §5.3) parse as the two lines do.
func FuzzChallenges(f *testing.F) {
	for _, s := range []string{
		`Bearer, DPoP error="use_dpop_nonce", algs="ES256"`,
		`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`,
		`Negotiate YIIF+/v=, Basic realm="x"`,
		`Bearer realm="example", error="invalid_token", error_description="The access token expired"`,
		`, Bearer realm="a" ,, error="b", , DPoP ,`,
		`Foo a=`, `Foo a = b`, `DPoP error="a\\"`, "Basic realm=\"caf\xc3\xa9\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		chs := parseChallenges([]string{line})
		for _, ch := range chs {
			if ch.scheme == "" || !allTchars(ch.scheme) {
				t.Fatalf("%q: scheme %q is not a token", line, ch.scheme)
			}
			if ch.token68 != "" && ch.params != nil {
				t.Fatalf("%q: challenge %q has both token68 and params", line, ch.scheme)
			}
			for name := range ch.params {
				if !allTchars(name) || name != strings.ToLower(name) {
					t.Fatalf("%q: param name %q is not a lower-case token", line, name)
				}
			}
		}
		canon := writeChallenges(chs)
		if again := parseChallenges([]string{canon}); !reflect.DeepEqual(again, chs) {
			t.Fatalf("%q parsed as %#v; written %q parsed as %#v", line, chs, canon, again)
		}
		if len(chs) > 0 {
			merged := parseChallenges([]string{canon + ", " + canon})
			if want := append(append([]challenge{}, chs...), chs...); !reflect.DeepEqual(merged, want) {
				t.Fatalf("%q merged with itself parsed as %#v, want %#v", canon, merged, want)
			}
		}
	})
}

func allTchars(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return true
}

// writeChallenges writes challenges as one field line, every value quoted.
func writeChallenges(chs []challenge) string {
	var parts []string
	for _, ch := range chs {
		s := ch.scheme
		switch {
		case ch.token68 != "":
			s += " " + ch.token68
		case len(ch.params) > 0:
			names := make([]string, 0, len(ch.params))
			for n := range ch.params {
				names = append(names, n)
			}
			sort.Strings(names)
			for i, n := range names {
				sep := ", "
				if i == 0 {
					sep = " "
				}
				v := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(ch.params[n])
				s += sep + n + `="` + v + `"`
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
