package facebook

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestFacebookProofNeverGoesToAnotherHost: a token sent to another origin
// (an AllowedHosts upload host, say) or to the token endpoint carries no
// appsecret_proof, which would let that host check guesses of the secret.
func TestFacebookProofNeverGoesToAnotherHost(t *testing.T) {
	seen := map[string]string{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen[r.Host+r.URL.Path] = r.URL.Query().Get("appsecret_proof")
	})
	graph, other := httptest.NewServer(h), httptest.NewServer(h)
	defer graph.Close()
	defer other.Close()
	c := withAppSecretProof(nil, "s3cret", graph.URL, graph.URL+"/oauth/access_token")
	for _, u := range []string{graph.URL + "/me", graph.URL + "/oauth/access_token", other.URL + "/me"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	g, o := graph.Listener.Addr().String(), other.Listener.Addr().String()
	if seen[g+"/me"] != AppSecretProof("s3cret", "tok") {
		t.Fatalf("graph call proof %q", seen[g+"/me"])
	}
	if seen[g+"/oauth/access_token"] != "" || seen[o+"/me"] != "" {
		t.Fatalf("proof leaked: %v", seen)
	}
}
