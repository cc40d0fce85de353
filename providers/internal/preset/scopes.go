package preset

import "slices"

// AddScopes returns the scopes an app asked for (def when nil, as Resolved
// would fill them in) with each of extra appended unless already there:
// how a preset's Offline option adds offline_access.
func AddScopes(scopes, def []string, extra ...string) []string {
	if scopes == nil {
		scopes = def
	}
	out := append([]string(nil), scopes...)
	for _, s := range extra {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
