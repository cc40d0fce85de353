package blueprint_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// A FAPI 2.0-style client: pushed authorization requests (RFC 9126),
// PKCE S256 (always on), private_key_jwt client authentication (RFC 7523)
// with no client secret, DPoP-bound tokens (RFC 9449) and the issuer check
// of RFC 9207, against a gintest provider that requires all of them (and
// DPoP server nonces). The app publishes its public key at /jwks.json,
// where the provider fetches it.
func Example_fapi2() {
	var app http.Handler
	appSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { app.ServeHTTP(w, r) }))
	defer appSrv.Close()
	idp := gintest.StartProvider(gintest.Options{
		User:       &gintest.User{ID: "u-1", Login: "alice"},
		Clients:    []gintest.Client{{ID: "bank-app", JWKSURL: appSrv.URL + "/jwks.json", AuthMethod: "private_key_jwt"}},
		RequirePAR: true, RequireDPoP: true, DPoPNonce: true,
	})
	defer idp.Close()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader) // a real app loads its key, or uses a KMS crypto.Signer
	if err != nil {
		panic(err)
	}
	keys := []blueprint.ClientKey{{Signer: key, KeyID: "2026-12"}}
	bank := blueprint.NewOAuth2("bank", blueprint.OAuth2Config{
		ClientID: "bank-app",
		AuthURL:  idp.AuthURL(), TokenURL: idp.TokenURL(), PARURL: idp.PARURL(), APIBaseURL: idp.APIBaseURL(),
		Issuer: idp.URL(), RequireIssuer: true, // RFC 9207
		Options: blueprint.Options{
			ClientKeys:                keys, // private_key_jwt
			PushAuthorizationRequests: true, // PAR
			DPoP:                      true, // sender-constrained tokens
		},
	})
	jwks, err := blueprint.JWKSHandler(keys...)
	if err != nil {
		panic(err)
	}

	r := gin.New()
	// Test keys; a real app loads 32 random bytes each from its secrets.
	// The DPoP key travels with the token: keep the cookie encrypted.
	r.Use(sessions.Sessions("app", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210"))))
	r.GET("/jwks.json", gin.WrapH(jwks))
	bank.Mount(r.Group("/login"))
	r.GET("/accounts", bank.Require(), func(c *gin.Context) {
		var me struct {
			Login string `json:"login"`
		}
		if err := bank.Client(c).GetJSON("me", &me); err != nil {
			c.String(http.StatusBadGateway, "api: %v", err)
			return
		}
		tok, _ := bank.Token(c)
		c.String(http.StatusOK, "hello %s (%s token)", me.Login, tok.TokenType)
	})
	app = r

	page, err := gintest.NewBrowser().Get(appSrv.URL + "/accounts")
	if err != nil {
		panic(err)
	}
	fmt.Println(page.Body)
	fmt.Println("pushed:", idp.Calls(gintest.EndpointPAR))
	// Output:
	// hello alice (DPoP token)
	// pushed: 1
}
