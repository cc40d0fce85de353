package blueprint

import "testing"

// RFC 9700 §4.11 (open redirection): only same-site absolute paths survive.
func TestSafeNextRefusesOpenRedirects(t *testing.T) {
	bad := []string{
		"", "relative", "//evil.example", "//evil.example/path", "/\\evil.example", "\\/evil.example",
		"https://evil.example", "http:evil.example", "https:evil.example", "javascript:alert(1)",
		"/%2F%2Fevil.example", "%2F%2Fevil.example", "/%2f%2fevil.example", "/%5Cevil.example",
		"/%252F%252Fevil.example", "/%25252F%25252Fevil.example", "/path\twith-tab", "/a\nb", "/a\rb",
		"/\t/evil.example", "/a\x00b", "/%00", "/%0d%0aSet-Cookie:x=y", "/" + string(make([]byte, 2000)),
		"/ok\x7f",
	}
	for _, n := range bad {
		if got, ok := SafeNext(n); ok {
			t.Errorf("SafeNext(%q) = %q, ok; want refused", n, got)
		}
	}
}

func TestSafeNextKeepsSameSitePaths(t *testing.T) {
	good := []string{"/", "/dashboard", "/a/b?c=d&e=%2F", "/search?q=caf%C3%A9#top", "/unicode/café", "/a//b"}
	for _, n := range good {
		if got, ok := SafeNext(n); !ok || got != n {
			t.Errorf("SafeNext(%q) = %q, %v; want kept", n, got, ok)
		}
	}
}
