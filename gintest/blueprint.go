package gintest

import (
	"encoding/json"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

// OAuth2Config returns a blueprint configuration pointing at the provider
// with the default client (DefaultClientID, DefaultClientSecret), its
// revocation endpoint and its API. The provider must be started (or have a
// base URL set).
func (p *Provider) OAuth2Config() blueprint.OAuth2Config {
	return blueprint.OAuth2Config{
		ClientID:      DefaultClientID,
		ClientSecret:  DefaultClientSecret,
		AuthURL:       p.AuthURL(),
		TokenURL:      p.TokenURL(),
		RevocationURL: p.RevokeURL(),
		APIBaseURL:    p.APIBaseURL(),
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
	b.IdentityFunc(Identity)
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
// MemoryStorage). Like the server-side stores, it keeps and hands out deep
// copies (blueprint.Token.Clone): a handler that changes the token it got,
// Scopes and Extra included, changes nothing stored unless it calls Set,
// so a test cannot pass on a change production storage would drop. It is
// safe for concurrent use.
type MemoryStorage struct {
	mu     sync.Mutex
	tokens map[string]*blueprint.Token
}

// NewMemoryStorage returns a storage where every blueprint name starts with
// a copy of tok (nil: not logged in).
func NewMemoryStorage(tok *blueprint.Token) *MemoryStorage {
	return &MemoryStorage{tokens: map[string]*blueprint.Token{"": tok.Clone()}}
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

// Set replaces the token for name.
func (m *MemoryStorage) Set(_ *gin.Context, name string, tok *blueprint.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[name] = tok.Clone()
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
// fresh MemoryStorage, and returns that storage for inspection.
func SeedToken(b *blueprint.Blueprint, tok *blueprint.Token) *MemoryStorage {
	m := NewMemoryStorage(tok)
	b.SetStorage(m)
	return m
}
