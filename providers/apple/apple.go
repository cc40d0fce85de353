package apple

import (
	"encoding/json"
	"os"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
	"github.com/gindance/gindance/providers/oidc"
)

// DefaultIssuer is Sign in with Apple's issuer; its discovery document
// names the authorization, token, revocation and key endpoints.
const DefaultIssuer = "https://appleid.apple.com"

// Config configures the Sign in with Apple blueprint. Empty ClientID,
// TeamID, KeyID and PrivateKey are read from APPLE_CLIENT_ID,
// APPLE_TEAM_ID, APPLE_KEY_ID and APPLE_PRIVATE_KEY (the .p8 file's PEM
// text) when New runs. There is no static client secret: the preset signs
// one from the team's key.
type Config struct {
	// ClientID is the Services ID of the website (or the App ID for a
	// native app's token exchange), e.g. "com.example.web".
	ClientID string
	// TeamID is the Apple Developer team ID (10 characters); it is the
	// client secret's iss.
	TeamID string
	// KeyID is the ID of the Sign in with Apple key; it is the client
	// secret's kid.
	KeyID string
	// PrivateKey is the key file downloaded for KeyID (AuthKey_<KeyID>.p8):
	// PEM, PKCS #8, an ECDSA P-256 key.
	PrivateKey []byte
	// SecretLifetime is how long each signed client secret is valid
	// (Apple allows up to 6 months). Default DefaultSecretLifetime; a
	// secret is signed again when less than a tenth of it is left.
	SecretLifetime time.Duration
	// Now is the clock the client secret is signed by. Nil: time.Now.
	Now func() time.Time

	// Scopes: "name" and/or "email" (the default: both). Apple requires
	// response_mode=form_post when any scope is asked, so the blueprint
	// then asks for it; with an empty, non-nil Scopes it does not (unless
	// FormPost is set).
	Scopes   []string
	FormPost bool
	// Name is the blueprint's name and mount segment. Default "apple".
	Name string

	// Issuer and DiscoveryURL override Apple's (for tests).
	Issuer, DiscoveryURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config. Apple
	// accepts only https redirect URLs registered for the Services ID.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

var provider = preset.Provider{Name: "apple", Env: "APPLE",
	Credentials: "APPLE_CLIENT_ID, APPLE_TEAM_ID, APPLE_KEY_ID and APPLE_PRIVATE_KEY"}

// New returns an OpenID Connect blueprint for Sign in with Apple;
// its Claims method works, and UserOf returns the name Apple posts at the
// first login.
func New(cfg Config) *oidc.Blueprint {
	fromEnv(&cfg.ClientID, "APPLE_CLIENT_ID")
	fromEnv(&cfg.TeamID, "APPLE_TEAM_ID")
	fromEnv(&cfg.KeyID, "APPLE_KEY_ID")
	if len(cfg.PrivateKey) == 0 {
		cfg.PrivateKey = []byte(os.Getenv("APPLE_PRIVATE_KEY"))
	}
	s, keyErr := newSigner(cfg)
	opts := cfg.Options
	opts.HTTPClient = s.client(opts.HTTPClient)
	if opts.LoginCookieKey == nil && !opts.PendingLoginsInSession {
		opts.LoginCookieKey = s.loginCookieKey(cfg.ClientID)
	}
	scopes := cfg.Scopes
	if scopes == nil {
		scopes = []string{"name", "email"}
	}
	oc := oidc.Config{
		Issuer: preset.Or(cfg.Issuer, DefaultIssuer), DiscoveryURL: cfg.DiscoveryURL,
		TokenAuth: blueprint.ClientSecretPost, // Apple reads client_id and client_secret from the body
		FormPost:  cfg.FormPost || len(scopes) > 0,
		Validate: func() error {
			switch {
			case cfg.TeamID == "":
				return provider.MissingCredential(preset.Or(cfg.Name, "apple"), "TeamID")
			case cfg.KeyID == "":
				return provider.MissingCredential(preset.Or(cfg.Name, "apple"), "KeyID")
			}
			return keyErr
		},
	}
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: placeholderSecret, Scopes: scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: opts}
	b := app.OIDC(provider, oc)
	b.OnLogin(keepUser)
	b.IdentityGetter(func(c *gin.Context, _ *blueprint.Client) (*blueprint.Identity, error) {
		claims, err := b.Claims(c)
		if err != nil {
			return nil, err
		}
		tok, err := b.Token(c)
		if err != nil {
			return nil, err
		}
		return identity(claims, tok), nil
	})
	return b
}

func fromEnv(v *string, name string) {
	if *v == "" {
		*v = os.Getenv(name)
	}
}

// User is what Sign in with Apple posts about the user in the form_post
// response's user field, only at the user's first authorization of the
// app: keep it then, Apple never sends it again. It is not signed: the
// verified email is the id_token's (Identity.Email), not this one.
type User struct {
	FirstName, LastName string
	Email               string
}

// userExtra is the Token.Extra key the preset keeps User under.
const userExtra = "apple_user"

// maxUserField bounds the user field read.
const maxUserField = 4 << 10

// keepUser is the preset's first OnLogin hook: it copies the user field of
// the form_post response, when there is one, into tok.Extra, so that the
// app's OnLogin hooks (and the stored token) have it. A field that is not
// the JSON Apple sends is ignored: it is unsigned, and only a name.
func keepUser(c *gin.Context, tok *blueprint.Token) error {
	raw := blueprint.FormPostValue(c, "user")
	if raw == "" || len(raw) > maxUserField {
		return nil
	}
	var u struct {
		Name struct {
			FirstName string `json:"firstName"`
			LastName  string `json:"lastName"`
		} `json:"name"`
		Email string `json:"email"`
	}
	if json.Unmarshal([]byte(raw), &u) != nil {
		return nil
	}
	if tok.Extra == nil {
		tok.Extra = map[string]any{}
	}
	tok.Extra[userExtra] = map[string]any{"firstName": u.Name.FirstName, "lastName": u.Name.LastName, "email": u.Email}
	return nil
}

// UserOf returns the user field Apple posted at the login that obtained
// tok, in an OnLogin hook or from the stored token later; false when
// Apple sent none (every login after the first).
func UserOf(tok *blueprint.Token) (*User, bool) {
	if tok == nil {
		return nil, false
	}
	m, ok := tok.Extra[userExtra].(map[string]any)
	if !ok {
		return nil, false
	}
	str := func(k string) string { v, _ := m[k].(string); return v }
	return &User{FirstName: str("firstName"), LastName: str("lastName"), Email: str("email")}, true
}

// identity maps Apple's id_token: ID is sub (stable per team), Email the
// email claim (a relay address with is_private_email), EmailVerified from
// email_verified, which Apple sends as a bool or as the string "true";
// Name from the user field when the token has it. Apple has no username.
func identity(claims map[string]any, tok *blueprint.Token) *blueprint.Identity {
	id := oidc.IdentityFromClaims(claims)
	id.Username = ""
	if u, ok := UserOf(tok); ok {
		id.Name = strings.TrimSpace(u.FirstName + " " + u.LastName)
	}
	return id
}

// PrivateEmail reports whether the identity's email is one of Apple's
// private relay addresses (is_private_email, a bool or "true").
func PrivateEmail(id *blueprint.Identity) bool {
	return truthy(id.Raw["is_private_email"])
}

func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}
