package gintest

import (
	"encoding/json"
	"errors"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

// OAuth2Config returns a blueprint configuration pointing at the provider
// with the default client (DefaultClientID, DefaultClientSecret), its
// revocation endpoint and its API, and the provider's LoginCookieKey. The
// provider must be started (or have a base URL set).
func (p *Provider) OAuth2Config() blueprint.OAuth2Config {
	return blueprint.OAuth2Config{
		ClientID:      DefaultClientID,
		ClientSecret:  DefaultClientSecret,
		AuthURL:       p.AuthURL(),
		TokenURL:      p.TokenURL(),
		RevocationURL: p.RevokeURL(),
		APIBaseURL:    p.APIBaseURL(),
		Options:       blueprint.Options{LoginCookieKey: p.LoginCookieKey()},
	}
}

// NewBlueprint returns an OAuth 2.0 blueprint named name for the provider,
// with the identity function set to Identity. tweak, when given, may change
// the configuration first.
func (p *Provider) NewBlueprint(name string, tweak ...func(*blueprint.OAuth2Config)) *blueprint.Blueprint {
	cfg := p.OAuth2Config()
	for _, fn := range tweak {
		fn(&cfg)
	}
	b := blueprint.NewOAuth2(name, cfg)
	b.IdentityGetter(Identity)
	return b
}

// Identity maps the provider's /api/me answer to a blueprint.Identity; it
// is the identity function of blueprints made by NewBlueprint.
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	var raw map[string]any
	if err := cl.GetJSON("me", &raw); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(raw)
	var me userJSON
	_ = json.Unmarshal(b, &me)
	return &blueprint.Identity{ID: me.ID, Username: me.Login, Name: me.Name, Email: me.Email,
		EmailVerified: me.EmailVerified, AvatarURL: me.AvatarURL, Raw: raw}, nil
}

// MemoryStorage is a blueprint.Storage holding one token for every request,
// for unit tests of handlers: seed it with a token and the handler under test
// sees a logged-in user without any login dance (Flask-Dance's
// MemoryStorage). It keeps tokens as the production stores do, so that a
// test cannot pass on what production would not do:
//
//   - a token is stored as blueprint.MarshalToken encodes it and read back
//     as blueprint.UnmarshalToken decodes it: Extra holds JSON's types
//     (numbers are float64, a []string is a []any), and a token without
//     an access token is refused, as ErrCorruptToken;
//   - it hands out deep copies (blueprint.Token.Clone): a handler that
//     changes the token it got, Scopes and Extra included, changes nothing
//     stored unless it calls Set.
//
// It is safe for concurrent use.
type MemoryStorage struct {
	mu     sync.Mutex
	tokens map[string]*blueprint.Token
}

// NewMemoryStorage returns a storage where every blueprint name starts with
// tok as a store would keep it (nil: not logged in). It panics when tok
// cannot be stored (no access token, or Extra that does not encode as
// JSON), a mistake in the test.
func NewMemoryStorage(tok *blueprint.Token) *MemoryStorage {
	kept, err := keep(tok)
	if err != nil {
		panic("gintest: NewMemoryStorage: " + err.Error())
	}
	return &MemoryStorage{tokens: map[string]*blueprint.Token{"": kept}}
}

// keep is tok encoded and decoded again, as a store keeps it; nil for nil.
func keep(tok *blueprint.Token) (*blueprint.Token, error) {
	if tok == nil {
		return nil, nil
	}
	b, err := blueprint.MarshalToken(tok)
	if err != nil {
		return nil, err
	}
	return blueprint.UnmarshalToken(b)
}

// Get returns the token set for name, or the seeded one.
func (m *MemoryStorage) Get(_ *gin.Context, name string) (*blueprint.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.tokens[name]; ok {
		return t.Clone(), nil
	}
	return m.tokens[""].Clone(), nil
}

// Set replaces the token for name; a token that cannot be stored (no
// access token, Extra that does not encode) is an error, and nothing
// changes.
func (m *MemoryStorage) Set(_ *gin.Context, name string, tok *blueprint.Token) error {
	if tok == nil {
		return errors.New("gintest: MemoryStorage.Set: nil token")
	}
	kept, err := keep(tok)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[name] = kept
	return nil
}

// Delete forgets the token for name.
func (m *MemoryStorage) Delete(_ *gin.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[name] = nil
	return nil
}

// SeedToken makes b see tok as the stored token of every request, through a
// fresh MemoryStorage, and returns that storage for inspection. Like
// NewMemoryStorage it panics when tok cannot be stored (no access token).
func SeedToken(b *blueprint.Blueprint, tok *blueprint.Token) *MemoryStorage {
	m := NewMemoryStorage(tok)
	b.SetStorage(m)
	return m
}
