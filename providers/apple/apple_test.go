package apple_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/apple"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/oidc"
)

const (
	teamID   = "TEAM123456"
	keyID    = "KEY1234567"
	clientID = "com.example.web"
)

// key is a Sign in with Apple key as the .p8 file holds it.
func key(t *testing.T) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return k, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// secretClaims verifies a client secret with the team's public key, as
// Apple does, and returns its claims and kid.
func secretClaims(pub *ecdsa.PublicKey, secret string) (jwt.Claims, string, error) {
	tok, err := jwt.ParseSigned(secret, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return jwt.Claims{}, "", err
	}
	var c jwt.Claims
	if err := tok.Claims(pub, &c); err != nil {
		return jwt.Claims{}, "", err
	}
	return c, tok.Headers[0].KeyID, nil
}

// appleFake is a gintest OIDC provider that, like Apple, accepts as client
// secret only a JWT signed by the team's key for this client.
func appleFake(t *testing.T, pub *ecdsa.PublicKey, opts gintest.OIDCOptions) *presettest.Fake {
	opts.ClientID = clientID
	opts.CheckClientSecret = func(secret string) bool {
		c, kid, err := secretClaims(pub, secret)
		return err == nil && kid == keyID && c.Issuer == teamID && c.Subject == clientID &&
			c.Validate(jwt.Expected{AnyAudience: jwt.Audience{"https://appleid.apple.com"}, Time: time.Now()}) == nil
	}
	if opts.User == nil {
		opts.User = &gintest.User{ID: "001234.abcd", Email: "x7@privaterelay.appleid.com", EmailVerified: true}
	}
	return presettest.NewOIDC(t, opts)
}

func newApple(f *presettest.Fake, pemKey []byte, cfg apple.Config) *oidc.Blueprint {
	return apple.New(appleConfig(f, pemKey, cfg))
}

// appleConfig is cfg pointed at f, with the team's key pemKey and the fake
// provider's LoginCookieKey (pending-login keys derived from pemKey are
// tested with it set to nil, in pendinglogin_test.go).
func appleConfig(f *presettest.Fake, pemKey []byte, cfg apple.Config) apple.Config {
	e := f.Endpoints()
	cfg.ClientID, cfg.TeamID, cfg.KeyID, cfg.PrivateKey = clientID, teamID, keyID, pemKey
	cfg.Issuer = e.Issuer
	cfg.Options.HTTPClient, cfg.Options.LoginCookieKey = e.HTTPClient, e.LoginCookieKey
	return cfg
}

// Apple requires response_mode=form_post when scopes are asked: the login
// asks for it with name and email, and completes through the posted form.
func TestFormPostRequiredWithScopes(t *testing.T) {
	k, p8 := key(t)
	f := appleFake(t, &k.PublicKey, gintest.OIDCOptions{})
	l := f.Login(t, newApple(f, p8, apple.Config{}).Blueprint)
	if l.Status != http.StatusOK {
		t.Fatalf("login: %d %q", l.Status, l.Body)
	}
	if l.Authorize.Get("response_mode") != "form_post" || l.Authorize.Get("scope") != "openid name email" || l.Authorize.Get("nonce") == "" {
		t.Fatalf("authorize %v", l.Authorize)
	}
	f = appleFake(t, &k.PublicKey, gintest.OIDCOptions{})
	if l := f.Login(t, newApple(f, p8, apple.Config{Scopes: []string{}})); l.Status != http.StatusOK || l.Authorize.Has("response_mode") {
		t.Fatalf("without scopes: %d %v", l.Status, l.Authorize)
	}
}

// The client secret is an ES256 JWT signed with the team's key: kid the
// key ID, iss the team, sub the client ID, aud appleid.apple.com, sent in
// the token request's body; no Basic authentication.
func TestClientSecretIsSignedJWT(t *testing.T) {
	k, p8 := key(t)
	f := appleFake(t, &k.PublicKey, gintest.OIDCOptions{})
	l := f.Login(t, newApple(f, p8, apple.Config{}))
	reqs := l.To("/token")
	if l.Status != http.StatusOK || len(reqs) != 1 {
		t.Fatalf("login: %d %q, token requests %d", l.Status, l.Body, len(reqs))
	}
	r := reqs[0]
	if r.Header.Get("Authorization") != "" || r.Form.Get("client_id") != clientID {
		t.Fatalf("token request %v %v", r.Header, r.Form)
	}
	c, kid, err := secretClaims(&k.PublicKey, r.Form.Get("client_secret"))
	if err != nil || kid != keyID || c.Issuer != teamID || c.Subject != clientID || len(c.Audience) != 1 || c.Audience[0] != "https://appleid.apple.com" {
		t.Fatalf("client secret %+v kid %q: %v", c, kid, err)
	}
	if life := c.Expiry.Time().Sub(c.IssuedAt.Time()); life != apple.DefaultSecretLifetime {
		t.Fatalf("lifetime %v", life)
	}
	_, other := key(t)
	f = appleFake(t, &k.PublicKey, gintest.OIDCOptions{})
	if l := f.Login(t, newApple(f, other, apple.Config{})); l.Status == http.StatusOK {
		t.Fatal("a secret signed with another key was accepted: the fake checks nothing")
	}
}

// The signed secret is kept while it is fresh and signed again when less
// than a tenth of its lifetime is left.
func TestClientSecretRefreshedBeforeExpiry(t *testing.T) {
	k, p8 := key(t)
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	f := appleFake(t, &k.PublicKey, gintest.OIDCOptions{})
	b := newApple(f, p8, apple.Config{SecretLifetime: time.Hour, Now: clock})
	secret := func() string {
		t.Helper()
		l := f.Login(t, b)
		if reqs := l.To("/token"); len(reqs) == 1 {
			return reqs[0].Form.Get("client_secret")
		}
		t.Fatalf("login %d %q", l.Status, l.Body)
		return ""
	}
	first := secret()
	advance(50 * time.Minute)
	if secret() != first {
		t.Fatal("a secret with 10 of 60 minutes left was signed again")
	}
	advance(5 * time.Minute) // 5 minutes left: less than a tenth
	if s := secret(); s == first {
		t.Fatal("a secret 5 minutes before expiry was reused")
	}
}

// The name arrives once, in the form's user field, and reaches OnLogin
// through apple.UserOf; Identity.Name has it. The email is the id_token's,
// not the unsigned field's.
func TestUserFieldReachesOnLogin(t *testing.T) {
	k, p8 := key(t)
	f := appleFake(t, &k.PublicKey, gintest.OIDCOptions{FormFields: map[string]string{
		"user": `{"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"forged@evil.example"}`}})
	b := newApple(f, p8, apple.Config{})
	var seen *apple.User
	b.OnLogin(func(c *gin.Context, tok *blueprint.Token) error {
		seen, _ = apple.UserOf(tok)
		return nil
	})
	l := f.Login(t, b)
	if seen == nil || seen.FirstName != "Ada" || seen.LastName != "Lovelace" {
		t.Fatalf("OnLogin saw %+v (login %d %q)", seen, l.Status, l.Body)
	}
	if id := l.Identity; id == nil || id.Name != "Ada Lovelace" || id.Email != "x7@privaterelay.appleid.com" {
		t.Fatalf("identity %+v (%v)", l.Identity, l.IdentityErr)
	}

	f = appleFake(t, &k.PublicKey, gintest.OIDCOptions{FormFields: map[string]string{"user": "not json"}})
	b = newApple(f, p8, apple.Config{})
	var ok bool
	b.OnLogin(func(c *gin.Context, tok *blueprint.Token) error { _, ok = apple.UserOf(tok); return nil })
	if l := f.Login(t, b); l.Status != http.StatusOK || ok {
		t.Fatalf("malformed user field: %d, UserOf ok=%v", l.Status, ok)
	}
}

// email_verified and is_private_email come as bools or strings.
func TestEmailVerifiedAndPrivateEmailAsStringsOrBools(t *testing.T) {
	k, p8 := key(t)
	for _, tc := range []struct {
		claims          map[string]any
		verified, relay bool
	}{
		{map[string]any{"email_verified": "true", "is_private_email": "true"}, true, true},
		{map[string]any{"email_verified": "false", "is_private_email": "false"}, false, false},
		{map[string]any{"email_verified": true, "is_private_email": true}, true, true},
		{map[string]any{"email_verified": false}, false, false},
	} {
		f := appleFake(t, &k.PublicKey, gintest.OIDCOptions{Claims: tc.claims})
		id := f.Login(t, newApple(f, p8, apple.Config{})).Identity
		if id == nil || id.EmailVerified != tc.verified || apple.PrivateEmail(id) != tc.relay || id.Username != "" || id.ID != "001234.abcd" {
			t.Errorf("claims %v: identity %+v", tc.claims, id)
		}
	}
}

// Credentials come from APPLE_CLIENT_ID, APPLE_TEAM_ID, APPLE_KEY_ID and
// APPLE_PRIVATE_KEY; a missing one or a key that is not a P-256 .p8 is a
// configuration error naming what to set.
func TestCredentialsAndKeyErrors(t *testing.T) {
	_, p8 := key(t)
	t.Setenv("APPLE_CLIENT_ID", clientID)
	t.Setenv("APPLE_TEAM_ID", teamID)
	t.Setenv("APPLE_KEY_ID", keyID)
	t.Setenv("APPLE_PRIVATE_KEY", string(p8))
	if err := apple.New(apple.Config{}).Validate(); err != nil {
		t.Fatalf("from the environment: %v", err)
	}
	t.Setenv("APPLE_TEAM_ID", "")
	if err := apple.New(apple.Config{}).Validate(); !errors.Is(err, blueprint.ErrConfig) || !strings.Contains(err.Error(), "APPLE_TEAM_ID") {
		t.Fatalf("missing team: %v", err)
	}
	for name, k := range map[string][]byte{"not PEM": []byte("garbage"), "RSA": rsaPEM(t)} {
		if err := apple.New(apple.Config{TeamID: teamID, PrivateKey: k}).Validate(); !errors.Is(err, blueprint.ErrConfig) {
			t.Errorf("%s key: %v", name, err)
		}
	}
}

func rsaPEM(t *testing.T) []byte {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}
