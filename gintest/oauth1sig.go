package gintest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// This file is the server side of OAuth 1.0a signatures (RFC 5849 §3.4):
// the fake provider recomputes the HMAC-SHA1 signature of every request it
// gets. Clients sign with github.com/dghubble/oauth1; this is an
// independent implementation, tested against the RFC's own examples, so a
// signing bug in the client shows up as a refused request.

// oauth1Request is a parsed, not yet verified, OAuth 1.0a request.
type oauth1Request struct {
	oauth  map[string]string // the protocol parameters, oauth_signature included
	params [][2]string       // every parameter that is signed (RFC 5849 §3.4.1.3.1), decoded
	base   string            // the signature base string
}

var errNoOAuthHeader = errors.New("no OAuth Authorization header")

// parseOAuth1 collects a request's parameters and builds its signature base
// string. baseURL is the scheme and authority the client addressed (the
// server's own URL). It reads and replaces a form body.
func parseOAuth1(r *http.Request, baseURL string) (*oauth1Request, error) {
	oauth, err := parseOAuthHeader(r.Header.Get("Authorization"))
	if err != nil {
		return nil, err
	}
	var params [][2]string
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			params = append(params, [2]string{k, v})
		}
	}
	if media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); media == "application/x-www-form-urlencoded" && r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, vs := range form {
			for _, v := range vs {
				params = append(params, [2]string{k, v})
			}
		}
	}
	for k, v := range oauth {
		if k != "realm" && k != "oauth_signature" {
			params = append(params, [2]string{k, v})
		}
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	u.Path, u.RawPath = r.URL.Path, r.URL.RawPath
	return &oauth1Request{oauth: oauth, params: params, base: signatureBase(r.Method, u, params)}, nil
}

// parseOAuthHeader parses an "OAuth k="v", ..." Authorization header
// (RFC 5849 §3.5.1), percent-decoding names and values.
func parseOAuthHeader(h string) (map[string]string, error) {
	scheme, rest, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "OAuth") {
		return nil, errNoOAuthHeader
	}
	out := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, errors.New("malformed OAuth parameter")
		}
		name, err1 := url.PathUnescape(k)
		value, err2 := url.PathUnescape(v[1 : len(v)-1])
		if err1 != nil || err2 != nil {
			return nil, errors.New("malformed OAuth parameter encoding")
		}
		if _, dup := out[name]; dup {
			return nil, errors.New("duplicate OAuth parameter") // RFC 5849 §3.1
		}
		out[name] = value
	}
	return out, nil
}

// signatureBase is RFC 5849 §3.4.1: method, base string URI and the
// normalized parameters, each encoded, joined by "&".
func signatureBase(method string, u *url.URL, params [][2]string) string {
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && !(scheme == "http" && p == "80") && !(scheme == "https" && p == "443") {
		host += ":" + p
	}
	baseURI := scheme + "://" + host + u.EscapedPath()
	enc := make([]string, len(params))
	pairs := make([][2]string, len(params))
	for i, p := range params {
		pairs[i] = [2]string{percentEncode(p[0]), percentEncode(p[1])}
	}
	// §3.4.1.3.2: sorted by name, then by value, after encoding
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	for i, p := range pairs {
		enc[i] = p[0] + "=" + p[1]
	}
	return strings.ToUpper(method) + "&" + percentEncode(baseURI) + "&" + percentEncode(strings.Join(enc, "&"))
}

// hmacSHA1 is the HMAC-SHA1 signature of RFC 5849 §3.4.2.
func hmacSHA1(base, consumerSecret, tokenSecret string) string {
	mac := hmac.New(sha1.New, []byte(percentEncode(consumerSecret)+"&"+percentEncode(tokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// verify checks the request's HMAC-SHA1 signature in constant time.
func (o *oauth1Request) verify(consumerSecret, tokenSecret string) bool {
	if o.oauth["oauth_signature_method"] != "HMAC-SHA1" {
		return false
	}
	want := hmacSHA1(o.base, consumerSecret, tokenSecret)
	return subtle.ConstantTimeCompare([]byte(want), []byte(o.oauth["oauth_signature"])) == 1
}

// percentEncode is RFC 5849 §3.6: every byte but the unreserved characters
// of RFC 3986 as %XX with uppercase hex.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
