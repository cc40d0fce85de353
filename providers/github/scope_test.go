package github

import "testing"

// A token stored before Token.Scopes were split ("read:user,user:email" as
// one element) still counts as granted user:email; so do split ones.
func TestHasScopeReadsStoredCommaLists(t *testing.T) {
	for _, tc := range []struct {
		scopes []string
		want   bool
	}{
		{[]string{"read:user", "user:email"}, true},
		{[]string{"read:user,user:email"}, true},
		{[]string{"read:user, user:email"}, true},
		{[]string{"read:user"}, false},
		{[]string{"user:emails"}, false},
		{nil, false},
	} {
		if got := hasScope(tc.scopes, "user:email"); got != tc.want {
			t.Errorf("hasScope(%q, user:email) = %v, want %v", tc.scopes, got, tc.want)
		}
	}
}
