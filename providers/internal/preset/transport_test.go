package preset

import (
	"net/http"
	"testing"
)

// TestIsOrigin: the token and Accept/version headers a preset adds go only
// to the origin they are for, compared exactly (scheme, host and port).
func TestIsOrigin(t *testing.T) {
	for _, tc := range []struct {
		url, origin string
		want        bool
	}{
		{"https://api.example.com/v1/me?x=1", "https://api.example.com", true},
		{"https://api.example.com:8443/me", "https://api.example.com:8443", true},
		{"http://api.example.com/me", "https://api.example.com", false},
		{"https://api.example.com.evil.test/me", "https://api.example.com", false},
		{"https://api.example.co/me", "https://api.example.com", false},
		{"https://api.example.com:8443/me", "https://api.example.com", false},
		{"https://api.example.com/me", "https://api.example.com/", false},
		{"https://api.example.com/me", "", false},
	} {
		req, err := http.NewRequest(http.MethodGet, tc.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := IsOrigin(req, tc.origin); got != tc.want {
			t.Errorf("IsOrigin(%s, %q) = %v, want %v", tc.url, tc.origin, got, tc.want)
		}
	}
}
