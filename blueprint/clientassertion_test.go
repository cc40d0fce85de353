package blueprint_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// fapiSecret is long enough for HS256 (RFC 7518 §3.2).
const fapiSecret = "fapi-secret-0123456789abcdefghijklmnop"

// opaqueSigner hides the concrete key type, as an HSM or KMS signer does.
type opaqueSigner struct{ crypto.Signer }

func mustECKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// posts returns the POSTs the provider got at path.
func (rp *recordingProvider) posts(path string) []recorded {
	var out []recorded
	for _, r := range rp.requests() {
		if u, _ := url.Parse(r.url); r.method == http.MethodPost && u.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// assertionApp is an app publishing keys at /jwks.json, with blueprint b
// mounted at /login and "/" reporting whether the user is logged in and
// "/logout" logging out.
type assertionApp struct {
	url string
	b   *blueprint.Blueprint
}

// startAssertionApp starts the app, then the recording provider whose one
// client is registered with the app's JWKS and authMethod, then the
// blueprint configured by tweak.
func startAssertionApp(t *testing.T, keys []blueprint.ClientKey, authMethod string, tweak func(*blueprint.OAuth2Config, *recordingProvider)) (*assertionApp, *recordingProvider) {
	return startPublishingApp(t, keys, keys, authMethod, tweak)
}

// startPublishingApp is startAssertionApp with the app publishing the keys
// published instead of the ones it signs with.
func startPublishingApp(t *testing.T, keys, published []blueprint.ClientKey, authMethod string, tweak func(*blueprint.OAuth2Config, *recordingProvider)) (*assertionApp, *recordingProvider) {
	t.Helper()
	var h http.Handler = http.NotFoundHandler()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(app.Close)
	rp := startRecordingProvider(t, gintest.Options{
		User:    &gintest.User{ID: "u-1", Login: "alice"},
		Clients: []gintest.Client{{ID: "fapi-client", Secret: fapiSecret, JWKSURL: app.URL + "/jwks.json", AuthMethod: authMethod}},
	})
	b := rp.NewBlueprint("idp", func(c *blueprint.OAuth2Config) {
		// ClientKeys select private_key_jwt by themselves.
		c.ClientID, c.ClientSecret, c.ClientKeys = "fapi-client", "", keys
		if tweak != nil {
			tweak(c, rp)
		}
	})
	r := newEngine()
	if len(published) > 0 {
		jwks, err := blueprint.JWKSHandler(published...)
		if err != nil {
			t.Fatal(err)
		}
		r.GET("/jwks.json", gin.WrapH(jwks))
	}
	b.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "authorized=%v", b.Authorized(c)) })
	r.GET("/logout", func(c *gin.Context) {
		if err := b.Logout(c); err != nil {
			c.String(http.StatusBadGateway, "logout: %v", err)
			return
		}
		c.String(http.StatusOK, "bye")
	})
	h = r
	return &assertionApp{url: app.URL, b: b}, rp
}

// login runs the dance in a new browser and fails the test unless it ends
// logged in.
func (a *assertionApp) login(t *testing.T) *gintest.Browser {
	t.Helper()
	br := gintest.NewBrowser()
	page, err := br.Get(a.url + "/login/idp")
	if err != nil || page.Body != "authorized=true" {
		t.Fatalf("login: %v, status %d, body %q", err, page.StatusCode, page.Body)
	}
	return br
}

// RFC 7523 §2.2 and OpenID Connect Core §9: with private_key_jwt the token
// and revocation requests carry client_assertion_type and a client
// assertion signed by the client's key, and no client secret; the server
// verifies it against the JWKS the app publishes. Each key type the Go
// standard library has, and a crypto.Signer of unknown type (an HSM).
func TestPrivateKeyJWTAtTokenAndRevocation_RFC7523_2_2(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	cases := map[string]blueprint.ClientKey{
		"ES256":  {Signer: mustECKey(t)},
		"RS256":  {Signer: rsaKey},
		"PS256":  {Signer: rsaKey, Algorithm: "PS256"},
		"EdDSA":  {Signer: edKey},
		"opaque": {Signer: opaqueSigner{mustECKey(t)}, KeyID: "hsm-1"},
	}
	for name, key := range cases {
		t.Run(name, func(t *testing.T) {
			app, rp := startAssertionApp(t, []blueprint.ClientKey{key}, "private_key_jwt", nil)
			br := app.login(t)
			if page, err := br.Get(app.url + "/logout"); err != nil || page.Body != "bye" {
				t.Fatalf("logout: %v %q", err, page.Body)
			}
			for _, path := range []string{"/token", "/revoke"} {
				reqs := rp.posts(path)
				if len(reqs) != 1 {
					t.Fatalf("%s: %d requests", path, len(reqs))
				}
				r := reqs[0]
				if r.form.Get("client_assertion_type") != blueprint.ClientAssertionType || r.form.Get("client_assertion") == "" {
					t.Fatalf("%s: no client assertion in %v", path, r.form)
				}
				if r.form.Has("client_secret") || r.header.Get("Authorization") != "" {
					t.Fatalf("%s: a secret was sent besides the assertion", path)
				}
				tok, err := jwt.ParseSigned(r.form.Get("client_assertion"), []jose.SignatureAlgorithm{jose.SignatureAlgorithm(name), jose.ES256})
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				var c jwt.Claims
				if err := tok.Claims(key.Signer.Public(), &c); err != nil {
					t.Fatalf("%s: assertion does not verify with the key: %v", path, err)
				}
			}
			if rp.Calls(gintest.EndpointRevoke) != 1 {
				t.Fatal("revocation was not called")
			}
		})
	}
}

// RFC 7523 §3: iss and sub are the client_id, jti is unique, exp is near;
// aud is the authorization server's issuer identifier as a single string,
// as the update of RFC 7523 (draft-ietf-oauth-rfc7523bis) and FAPI 2.0
// §5.3.2.1 require, so an assertion cannot be replayed at another server
// sharing an endpoint; without a known issuer, the token endpoint's URL.
func TestClientAssertionClaims_RFC7523_3(t *testing.T) {
	key := mustECKey(t)
	for _, mode := range []string{"issuer", "no issuer", "token URL"} {
		withIssuer := mode == "issuer"
		app, rp := startAssertionApp(t, []blueprint.ClientKey{{Signer: key, KeyID: "k1"}}, "private_key_jwt", func(c *blueprint.OAuth2Config, rp *recordingProvider) {
			if mode != "no issuer" {
				c.Issuer = rp.URL()
			}
			c.AssertionAudienceTokenURL = mode == "token URL" // Issuer set, yet the token URL
		})
		app.login(t)
		app.login(t)
		reqs := rp.posts("/token")
		if len(reqs) != 2 {
			t.Fatalf("%d token requests", len(reqs))
		}
		wantAud := rp.TokenURL()
		if withIssuer {
			wantAud = rp.URL()
		}
		var jtis []string
		for _, r := range reqs {
			raw := r.form.Get("client_assertion")
			tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
			if err != nil {
				t.Fatal(err)
			}
			if kid := tok.Headers[0].KeyID; kid != "k1" {
				t.Fatalf("kid %q", kid)
			}
			var c map[string]any
			if err := tok.Claims(&key.PublicKey, &c); err != nil {
				t.Fatal(err)
			}
			if c["iss"] != "fapi-client" || c["sub"] != "fapi-client" {
				t.Fatalf("iss %v sub %v", c["iss"], c["sub"])
			}
			if aud, ok := c["aud"].(string); !ok || aud != wantAud {
				t.Fatalf("aud %#v, want the single string %q", c["aud"], wantAud)
			}
			exp, iat := c["exp"].(float64), c["iat"].(float64)
			if exp-iat <= 0 || exp-iat > 60 || time.Since(time.Unix(int64(iat), 0)) > time.Minute {
				t.Fatalf("iat %v exp %v", iat, exp)
			}
			jtis = append(jtis, c["jti"].(string))
		}
		if jtis[0] == "" || jtis[0] == jtis[1] {
			t.Fatalf("jti not unique: %q", jtis)
		}
	}
}

// Key rotation: every key is published, the one with the latest NotBefore
// that has passed signs, a key whose NotBefore is ahead does not yet.
func TestClientKeyRotationNewestSigns(t *testing.T) {
	now := time.Now()
	keys := []blueprint.ClientKey{
		{Signer: mustECKey(t), KeyID: "old"},
		{Signer: mustECKey(t), KeyID: "current", NotBefore: now.Add(-time.Hour)},
		{Signer: mustECKey(t), KeyID: "next", NotBefore: now.Add(time.Hour)},
	}
	app, rp := startAssertionApp(t, keys, "private_key_jwt", nil)
	app.login(t)
	tok, err := jwt.ParseSigned(rp.posts("/token")[0].form.Get("client_assertion"), []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if kid := tok.Headers[0].KeyID; kid != "current" {
		t.Fatalf("signed with %q, want current", kid)
	}
	resp, err := http.Get(app.url + "/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 3 || len(set.Key("next")) != 1 {
		t.Fatalf("JWKS has %d keys", len(set.Keys))
	}
	for _, k := range set.Keys {
		if !k.IsPublic() {
			t.Fatalf("JWKS publishes a private key: %s", k.KeyID)
		}
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/jwk-set+json" {
		t.Fatalf("Content-Type %q", ct)
	}
}

// A JWKS whose keys are unknown to the server (a rotation the server has not
// seen) makes the token request fail as invalid_client, through OnError.
func TestPrivateKeyJWTUnknownKeyRefused(t *testing.T) {
	app, _ := startPublishingApp(t, []blueprint.ClientKey{{Signer: mustECKey(t), KeyID: "k"}},
		[]blueprint.ClientKey{{Signer: mustECKey(t), KeyID: "k"}}, "private_key_jwt", nil)
	var got error
	app.b.OnError(func(c *gin.Context, err error) { got = err; c.String(http.StatusBadGateway, "failed") })
	page, err := gintest.NewBrowser().Get(app.url + "/login/idp")
	if err != nil || page.StatusCode != http.StatusBadGateway {
		t.Fatalf("%v %d %q", err, page.StatusCode, page.Body)
	}
	var pe *blueprint.ProviderError
	if !errors.As(got, &pe) || pe.Code != "invalid_client" {
		t.Fatalf("got %v", got)
	}
}

// OpenID Connect Core §9 client_secret_jwt: an HS256 assertion keyed with
// the secret; the secret itself is in no request.
func TestClientSecretJWT_OIDCCore9(t *testing.T) {
	app, rp := startAssertionApp(t, nil, "client_secret_jwt", func(c *blueprint.OAuth2Config, _ *recordingProvider) {
		c.ClientSecret, c.TokenAuth = fapiSecret, blueprint.ClientSecretJWT
	})
	br := app.login(t)
	if page, _ := br.Get(app.url + "/logout"); page.Body != "bye" {
		t.Fatalf("logout %q", page.Body)
	}
	for _, path := range []string{"/token", "/revoke"} {
		for _, r := range rp.posts(path) {
			for k, v := range r.form {
				if strings.Contains(strings.Join(v, ""), fapiSecret) {
					t.Fatalf("%s: the secret travels in %s", path, k)
				}
			}
			if r.header.Get("Authorization") != "" {
				t.Fatalf("%s: Authorization header sent", path)
			}
			tok, err := jwt.ParseSigned(r.form.Get("client_assertion"), []jose.SignatureAlgorithm{jose.HS256})
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			var c jwt.Claims
			if err := tok.Claims([]byte(fapiSecret), &c); err != nil || c.Subject != "fapi-client" {
				t.Fatalf("%s: %v %+v", path, err, c)
			}
		}
	}
}

// A server that requires private_key_jwt refuses client_secret_basic: the
// login ends in OnError with the provider's invalid_client.
func TestClientSecretRefusedWhenPrivateKeyJWTRequired(t *testing.T) {
	app, _ := startAssertionApp(t, nil, "private_key_jwt", func(c *blueprint.OAuth2Config, _ *recordingProvider) { c.ClientSecret = fapiSecret })
	var got error
	app.b.OnError(func(c *gin.Context, err error) { got = err; c.String(http.StatusBadGateway, "failed") })
	if _, err := gintest.NewBrowser().Get(app.url + "/login/idp"); err != nil {
		t.Fatal(err)
	}
	var pe *blueprint.ProviderError
	if !errors.As(got, &pe) || pe.Code != "invalid_client" {
		t.Fatalf("got %v", got)
	}
}

// Misconfigured client authentication stops Mount, not a user's login.
func TestClientAuthConfigErrors(t *testing.T) {
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(*blueprint.OAuth2Config){
		"no keys": func(c *blueprint.OAuth2Config) { c.TokenAuth = blueprint.PrivateKeyJWT },
		"nil signer": func(c *blueprint.OAuth2Config) {
			c.TokenAuth, c.ClientKeys = blueprint.PrivateKeyJWT, []blueprint.ClientKey{{}}
		},
		"weak RSA": func(c *blueprint.OAuth2Config) {
			c.TokenAuth, c.ClientKeys = blueprint.PrivateKeyJWT, []blueprint.ClientKey{{Signer: weak}}
		},
		"alg for EC key": func(c *blueprint.OAuth2Config) {
			c.TokenAuth, c.ClientKeys = blueprint.PrivateKeyJWT, []blueprint.ClientKey{{Signer: mustECKey(t), Algorithm: "RS256"}}
		},
		"jwt no secret": func(c *blueprint.OAuth2Config) { c.TokenAuth, c.ClientSecret = blueprint.ClientSecretJWT, "" },
		"keys and post": func(c *blueprint.OAuth2Config) {
			c.TokenAuth, c.ClientKeys = blueprint.ClientSecretPost, []blueprint.ClientKey{{Signer: mustECKey(t)}}
		},
		"jwt short": func(c *blueprint.OAuth2Config) {
			c.TokenAuth, c.ClientSecret = blueprint.ClientSecretJWT, "31-bytes-are-too-few-for-hs256!"
		},
	}
	for name, tweak := range cases {
		cfg := staticConfig("")
		tweak(&cfg)
		if err := blueprint.NewOAuth2("idp", cfg).Validate(); !errors.Is(err, blueprint.ErrConfig) {
			t.Errorf("%s: Validate = %v, want ErrConfig", name, err)
		}
	}
	if _, err := blueprint.JWKSHandler(blueprint.ClientKey{Signer: weak}); !errors.Is(err, blueprint.ErrConfig) {
		t.Errorf("JWKSHandler with a weak key: %v", err)
	}
}

// RFC 7523 §3 item 3 and RFC 9126 §2: the aud of the client assertion is
// the issuer identifier or, with no issuer known, the token endpoint's URL
// at every endpoint the client authenticates to: the token, PAR and
// revocation endpoints. It was the URL of the endpoint called, which is
// the revocation URL at revocation, an audience RFC 7523 does not name.
func TestClientAssertionAudienceAtPARAndRevocation_RFC7523_3(t *testing.T) {
	for _, withIssuer := range []bool{false, true} {
		key := mustECKey(t)
		app, rp := startAssertionApp(t, []blueprint.ClientKey{{Signer: key}}, "private_key_jwt", func(c *blueprint.OAuth2Config, rp *recordingProvider) {
			c.PARURL, c.RevocationURL, c.PushAuthorizationRequests = rp.PARURL(), rp.RevokeURL(), true
			if withIssuer {
				c.Issuer = rp.URL()
			}
		})
		br := app.login(t)
		if page, err := br.Get(app.url + "/logout"); err != nil || page.Body != "bye" {
			t.Fatalf("logout: %v %q", err, page.Body)
		}
		wantAud := rp.TokenURL()
		if withIssuer {
			wantAud = rp.URL()
		}
		for _, path := range []string{"/par", "/token", "/revoke"} {
			reqs := rp.posts(path)
			if len(reqs) != 1 {
				t.Fatalf("issuer %v: %d requests at %s", withIssuer, len(reqs), path)
			}
			tok, err := jwt.ParseSigned(reqs[0].form.Get("client_assertion"), []jose.SignatureAlgorithm{jose.ES256})
			if err != nil {
				t.Fatalf("issuer %v: %s: %v", withIssuer, path, err)
			}
			var c struct {
				Aud any `json:"aud"`
			}
			if err := tok.Claims(&key.PublicKey, &c); err != nil {
				t.Fatal(err)
			}
			if c.Aud != wantAud {
				t.Errorf("issuer %v: aud at %s is %#v, want %q", withIssuer, path, c.Aud, wantAud)
			}
		}
	}
}
