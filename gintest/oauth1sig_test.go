package gintest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSignatureBaseRFC5849Section3411 rebuilds the signature base string of
// RFC 5849 §3.4.1.1 (query, form body, duplicate names, encoded names and
// values, realm excluded) byte for byte.
func TestSignatureBaseRFC5849Section3411(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", strings.NewReader("c2&a3=2+q"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", `OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`)
	o, err := parseOAuth1(r, "http://example.com")
	if err != nil {
		t.Fatal(err)
	}
	const want = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
	if o.base != want {
		t.Fatalf("base string\n got %s\nwant %s", o.base, want)
	}
}

// TestSignatureRFC5849Section12 verifies the three signed requests of the
// RFC 5849 §1.2 example (temporary credentials, token credentials, the
// protected resource) with the example's secrets, and rejects each one
// signed with a wrong token secret.
func TestSignatureRFC5849Section12(t *testing.T) {
	const consumerSecret = "kd94hf93k423kf44"
	cases := []struct {
		name, method, target, base, auth, tokenSecret string
	}{
		{"temporary credentials", "POST", "https://photos.example.net/initiate", "https://photos.example.net",
			`OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131200", oauth_nonce="wIjqoS", oauth_callback="http%3A%2F%2Fprinter.example.com%2Fready", oauth_signature="74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D"`, ""},
		{"token credentials", "POST", "https://photos.example.net/token", "https://photos.example.net",
			`OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="hh5s93j4hdidpola", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="walatlh", oauth_verifier="hfdp7dh39dks9884", oauth_signature="gKgrFCywp7rO0OXSjdot%2FIHF7IU%3D"`, "hdhd0244k9j7ao03"},
		{"protected resource", "GET", "http://photos.example.net/photos?file=vacation.jpg&size=original", "http://photos.example.net",
			`OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"`, "pfkkdhi9sl3r4s00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			r.Header.Set("Authorization", tc.auth)
			o, err := parseOAuth1(r, tc.base)
			if err != nil {
				t.Fatal(err)
			}
			if !o.verify(consumerSecret, tc.tokenSecret) {
				t.Fatalf("RFC example signature rejected; computed %s over %s", hmacSHA1(o.base, consumerSecret, tc.tokenSecret), o.base)
			}
			if o.verify(consumerSecret, tc.tokenSecret+"x") {
				t.Fatal("signature accepted with a wrong token secret")
			}
		})
	}
}

// TestOAuth1ProviderRefusesUnsignedAndReplayedRequests: the fake provider
// answers 401 to a request without a valid signature and to a replayed
// nonce (RFC 5849 §3.3), and counts both.
func TestOAuth1ProviderRefusesUnsignedAndReplayedRequests(t *testing.T) {
	p := StartOAuth1Provider(OAuth1Options{})
	defer p.Close()
	resp, err := http.Post(p.RequestTokenURL(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || p.Rejected() != 1 {
		t.Fatalf("unsigned: %d, rejected %d", resp.StatusCode, p.Rejected())
	}
	// a correctly signed request, sent twice
	req := httptest.NewRequest(http.MethodPost, p.RequestTokenURL(), nil)
	params := [][2]string{{"oauth_consumer_key", DefaultConsumerKey}, {"oauth_nonce", "n1"},
		{"oauth_signature_method", "HMAC-SHA1"}, {"oauth_timestamp", strconv.FormatInt(time.Now().Unix(), 10)},
		{"oauth_callback", "http://127.0.0.1/cb"}}
	u, _ := url.Parse(p.RequestTokenURL())
	sig := hmacSHA1(signatureBase("POST", u, params), DefaultConsumerSecret, "")
	var h []string
	for _, kv := range append(params, [2]string{"oauth_signature", sig}) {
		h = append(h, kv[0]+`="`+percentEncode(kv[1])+`"`)
	}
	for i, want := range []int{http.StatusOK, http.StatusUnauthorized} {
		r, _ := http.NewRequest(http.MethodPost, req.URL.String(), nil)
		r.Header.Set("Authorization", "OAuth "+strings.Join(h, ", "))
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("attempt %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	if p.Rejected() != 2 {
		t.Fatalf("rejected %d, want 2", p.Rejected())
	}
}
