package gintest

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/gindance/gindance/blueprint"
)

// A handler that edits the token it read (or the token it stored, or the
// test its seed) changes nothing in MemoryStorage, down to Scopes and the
// objects nested in Extra, as with the server-side stores: a test must not
// pass on an edit that production storage would drop.
func TestMemoryStorageKeepsCopies(t *testing.T) {
	fresh := func() *blueprint.Token {
		return &blueprint.Token{
			AccessToken: "at", TokenType: "Bearer", RefreshToken: "rt",
			Scopes: []string{"profile"},
			Extra:  map[string]any{"tenant": "t1", "nested": map[string]any{"list": []any{"a"}}},
		}
	}
	edit := func(tok *blueprint.Token) {
		tok.AccessToken, tok.Scopes[0], tok.Extra["tenant"] = "edited", "edited", "edited"
		tok.Extra["nested"].(map[string]any)["list"].([]any)[0] = "edited"
	}
	want := fresh()

	seed := fresh()
	m := NewMemoryStorage(seed)
	edit(seed)
	check := func(when, name string) {
		t.Helper()
		got, err := m.Get(nil, name)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: stored %+v, want %+v", when, got, want)
		}
	}
	check("after the seed was edited", "idp")

	got, _ := m.Get(nil, "idp")
	edit(got)
	check("after a token read was edited", "idp")

	put := fresh()
	if err := m.Set(nil, "other", put); err != nil {
		t.Fatal(err)
	}
	edit(put)
	check("after a stored token was edited", "other")

	if tok, _ := NewMemoryStorage(nil).Get(nil, "idp"); tok != nil {
		t.Fatalf("a storage seeded with nil holds %+v", tok)
	}
}

// MemoryStorage keeps a token as a production store does: Extra's typed
// values come back as JSON decodes them (a handler asserting .(int) fails
// here as it would in production), and a token without an access token is
// refused.
func TestMemoryStorageKeepsWhatAStoreKeeps(t *testing.T) {
	roles := []string{"admin"}
	m := NewMemoryStorage(&blueprint.Token{AccessToken: "at", Extra: map[string]any{"n": 5, "roles": roles}})
	roles[0] = "edited"
	got, err := m.Get(nil, "idp")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"n": float64(5), "roles": []any{"admin"}}; !reflect.DeepEqual(got.Extra, want) {
		t.Fatalf("Extra %#v, want %#v", got.Extra, want)
	}
	err = m.Set(nil, "idp", &blueprint.Token{RefreshToken: "rt"})
	if !errors.Is(err, blueprint.ErrCorruptToken) {
		t.Fatalf("Set of a token without an access token: %v, want ErrCorruptToken", err)
	}
	if after, _ := m.Get(nil, "idp"); after == nil || after.AccessToken != "at" {
		t.Fatalf("after the refused Set: %+v", after)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("NewMemoryStorage of a token without an access token did not panic")
		}
	}()
	NewMemoryStorage(&blueprint.Token{})
}

// Every config a provider returns carries its LoginCookieKey, a valid
// 32-byte key that stays the same for the provider (its blueprints act as
// replicas of one app) and differs between providers.
func TestConfigsPinTheProvidersLoginCookieKey(t *testing.T) {
	p, q := StartProvider(Options{}), StartProvider(Options{})
	defer p.Close()
	defer q.Close()
	o, o1 := StartOIDCProvider(OIDCOptions{}), StartOAuth1Provider(OAuth1Options{})
	defer o.Close()
	defer o1.Close()
	key := p.LoginCookieKey()
	if len(key) != blueprint.LoginCookieKeySize || !bytes.Equal(key, p.LoginCookieKey()) || bytes.Equal(key, q.LoginCookieKey()) {
		t.Fatalf("keys %x, %x, %x: want one 32-byte key per provider", key, p.LoginCookieKey(), q.LoginCookieKey())
	}
	for name, got := range map[string][]byte{
		"Provider.OAuth2Config":       p.OAuth2Config().LoginCookieKey,
		"OIDCProvider.OAuth2Config":   o.OAuth2Config().LoginCookieKey,
		"OAuth1Provider.OAuth1Config": o1.OAuth1Config().LoginCookieKey,
	} {
		if len(got) != blueprint.LoginCookieKeySize {
			t.Errorf("%s: LoginCookieKey %x", name, got)
		}
	}
	if !bytes.Equal(o.OAuth2Config().LoginCookieKey, o.LoginCookieKey()) {
		t.Error("the OIDC config's key is not the provider's")
	}
	if err := p.NewBlueprint("idp").Validate(); err != nil {
		t.Fatal(err)
	}
}
