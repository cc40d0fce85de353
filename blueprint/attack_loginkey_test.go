package blueprint_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/argon2"

	"github.com/gindance/gindance/blueprint"
)

// loginKeySaltFor is the salt of the default pending-login key of a
// blueprint named name with clientID: a versioned label, then name and
// client ID, each length-prefixed. All of it is public: an attacker knows
// it from the app's URLs and the provider's authorization request.
func loginKeySaltFor(label, name, clientID string) []byte {
	b := append([]byte(label), binary.AppendUvarint(nil, uint64(len(name)))...)
	b = append(b, name...)
	b = binary.AppendUvarint(b, uint64(len(clientID)))
	return append(b, clientID...)
}

// opens reports whether key opens the sealed pending login value, set in
// the cookie gindance-login.<name>.<loginKey> (AES-256-GCM, nonce first,
// the blueprint's name and the login's key as associated data).
func opens(t *testing.T, key []byte, name, loginKey, value string) bool {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		t.Fatalf("cookie value: %v", err)
	}
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	n := aead.NonceSize()
	_, err = aead.Open(nil, raw[:n], raw[n:], []byte("gindance-login\x00"+name+"\x00"+loginKey))
	return err == nil
}

// An anonymous GET /login/<name> hands anyone a pending-login cookie sealed
// under the key derived from the client secret: an oracle for an offline
// search of that secret, with no request to anyone per guess. With
// HKDF-SHA256 a guess cost about 4 µs (some 200,000 guesses per second and
// core; BenchmarkDeriveLoginKey); the key is now Argon2id with 64 MiB and 2
// passes (RFC 9106), about 100 ms and 64 MiB a guess. The test plays the
// attacker: the secret guessed right opens the cookie only through
// Argon2id with those parameters, and the old HKDF derivation of the right
// secret no longer opens it.
func TestAttackLoginCookieIsNoFastOracleForTheClientSecret(t *testing.T) {
	const secret, clientID = "sunshine1-sunshine1", "my-app"
	srv := httptest.NewServer(func() http.Handler {
		b := blueprint.NewOAuth2("corp", blueprint.OAuth2Config{ClientID: clientID, ClientSecret: secret,
			AuthURL: "https://idp.example/authorize", TokenURL: "https://idp.example/token"})
		r := newEngine()
		b.Mount(r.Group("/login"))
		return r
	}())
	t.Cleanup(srv.Close)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(srv.URL + "/login/corp")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var name, value string
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, "gindance-login.corp.") {
			name, value = c.Name, c.Value
		}
	}
	if name == "" {
		t.Fatalf("no pending-login cookie in %q", resp.Header.Values("Set-Cookie"))
	}
	loginKey := strings.TrimPrefix(name, "gindance-login.corp.")

	hkdfKey, err := hkdf.Key(sha256.New, []byte(secret), []byte("gindance pending-login cookie key v1"),
		string(loginKeySaltFor("", "corp", clientID)), 32)
	if err != nil {
		t.Fatal(err)
	}
	if opens(t, hkdfKey, "corp", loginKey, value) {
		t.Fatal("the cookie opens under HKDF-SHA256 of the client secret: each guess of the secret costs microseconds")
	}
	salt := loginKeySaltFor("gindance pending-login cookie key v2\x00", "corp", clientID)
	if !opens(t, argon2.IDKey([]byte(secret), salt, 2, 64<<10, 1, 32), "corp", loginKey, value) {
		t.Fatal("the cookie does not open under Argon2id (2 passes, 64 MiB, one lane) of the client secret")
	}
	if opens(t, argon2.IDKey([]byte("sunshine2-sunshine2"), salt, 2, 64<<10, 1, 32), "corp", loginKey, value) {
		t.Fatal("a wrong guess opens the cookie")
	}
}

// A client secret under 16 bytes (an operator's own choice at Keycloak,
// Dex, authentik, Gitea, or an OAuth 1.0a consumer) is not used as the
// default pending-login key's source at all: even a slow derivation leaves
// a short secret within an offline search. Validate (and Mount) refuse it
// with ErrConfig naming LoginCookieKey; LoginCookieKey or
// PendingLoginsInSession, which derive nothing from the secret, are
// accepted with it, and a public client (no secret) keeps its pending
// logins in the session as before.
func TestAttackShortClientSecretRefusedAsLoginKeySource(t *testing.T) {
	oauth2 := func(secret string, tweak func(*blueprint.OAuth2Config)) *blueprint.Blueprint {
		cfg := blueprint.OAuth2Config{ClientID: "my-app", ClientSecret: secret,
			AuthURL: "https://idp.example/authorize", TokenURL: "https://idp.example/token"}
		if tweak != nil {
			tweak(&cfg)
		}
		return blueprint.NewOAuth2("corp", cfg)
	}
	oauth1 := blueprint.NewOAuth1("tw", blueprint.OAuth1Config{ConsumerKey: "ck", ConsumerSecret: "sunshine1",
		RequestTokenURL: "https://idp.example/rt", AuthorizeURL: "https://idp.example/a", AccessTokenURL: "https://idp.example/at"})
	for what, b := range map[string]*blueprint.Blueprint{
		"9-byte client secret":   oauth2("sunshine1", nil),
		"15-byte client secret":  oauth2("sunshine1234567", nil),
		"9-byte consumer secret": oauth1,
	} {
		err := b.Validate()
		if !errors.Is(err, blueprint.ErrConfig) || !strings.Contains(err.Error(), "LoginCookieKey") {
			t.Errorf("%s: Validate = %v; want ErrConfig naming LoginCookieKey", what, err)
		}
		if err != nil && strings.Contains(err.Error(), "sunshine") {
			t.Errorf("%s: the error shows the secret: %v", what, err)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Mount did not refuse it", what)
				}
			}()
			b.Mount(gin.New().Group("/login"))
		}()
	}
	for what, b := range map[string]*blueprint.Blueprint{
		"16-byte client secret":            oauth2("sunshine12345678", nil),
		"short secret, LoginCookieKey":     oauth2("sunshine1", func(c *blueprint.OAuth2Config) { c.LoginCookieKey = testLoginKey }),
		"short secret, pending in session": oauth2("sunshine1", func(c *blueprint.OAuth2Config) { c.PendingLoginsInSession = true }),
		"public client, LoginCookieKey":    oauth2("", func(c *blueprint.OAuth2Config) { c.PublicClient, c.LoginCookieKey = true, testLoginKey }),
	} {
		if err := b.Validate(); err != nil {
			t.Errorf("%s: Validate = %v", what, err)
		}
	}
}
