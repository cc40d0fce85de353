package blueprint_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
)

// A refresh lease shorter than one refresh may take (ProviderTimeout and
// three store operations) would let a holder call the provider with its
// lease about to end: Validate refuses it and names the fix.
func TestValidateRefusesLockTTLShorterThanARefresh(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{})
	t.Cleanup(p.Close)
	user := func(*gin.Context) (string, error) { return "u-1", nil }

	b := p.NewBlueprint("fake", func(c *blueprint.OAuth2Config) { c.ProviderTimeout = 10 * time.Second })
	b.SetStorage(memory.New(storage.Config{User: user, Timeout: time.Second, LockTTL: 12 * time.Second}))
	err := b.Validate()
	if !errors.Is(err, blueprint.ErrConfig) || !strings.Contains(err.Error(), "storage.Config.LockTTL to at least 13s") {
		t.Fatalf("Validate with LockTTL 12s, ProviderTimeout 10s, Timeout 1s: %v; want ErrConfig naming LockTTL 13s", err)
	}
	b.SetStorage(memory.New(storage.Config{User: user, Timeout: time.Second, LockTTL: 13 * time.Second}))
	if err := b.Validate(); err != nil {
		t.Fatalf("Validate with LockTTL 13s: %v", err)
	}
	b = p.NewBlueprint("fake")
	b.SetStorage(memory.New(storage.Config{User: user})) // the defaults fit
	if err := b.Validate(); err != nil {
		t.Fatalf("Validate with the default LockTTL, Timeout and ProviderTimeout: %v", err)
	}
}

// writeDuringRefresh is a store in which another instance stores newer, a
// token of a login made meanwhile, right after this instance read the
// token under its refresh lease.
type writeDuringRefresh struct {
	*storage.Store
	newer *blueprint.Token
}

func (s writeDuringRefresh) LockLease(ctx context.Context, c *gin.Context, name string) (blueprint.Lease, error) {
	l, err := s.Store.LockLease(ctx, c, name)
	if err != nil {
		return nil, err
	}
	return writeAfterRead{l, s}, nil
}

type writeAfterRead struct {
	blueprint.Lease
	s writeDuringRefresh
}

func (l writeAfterRead) Token(ctx context.Context) (*blueprint.Token, error) {
	tok, err := l.Lease.Token(ctx)
	if err == nil {
		err = l.s.SetFor(ctx, "fake", "u-1", l.s.newer)
	}
	return tok, err
}

// RFC 6749 §5.2: invalid_grant ends the refresh token that was presented,
// not a newer token stored since (by a login, or by another instance after
// this one's lease ended): that one is kept, and the request uses it.
func TestInvalidGrantKeepsANewerStoredToken(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u-1", Login: "alice"}})
	t.Cleanup(p.Close)
	access, refresh := p.IssueToken("u-1", -time.Minute)
	newAccess, newRefresh := p.IssueToken("u-1", time.Hour)
	newer := &blueprint.Token{AccessToken: newAccess, RefreshToken: newRefresh, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}
	store := writeDuringRefresh{memory.New(storage.Config{User: func(*gin.Context) (string, error) { return "u-1", nil }}), newer}
	if err := store.SetFor(context.Background(), "fake", "u-1", &blueprint.Token{AccessToken: access, RefreshToken: refresh,
		TokenType: "Bearer", Expiry: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	url := serveStoreAPI(t, p, store, http.StatusUnauthorized)
	p.Fail(gintest.Failure{TokenError: "invalid_grant"})

	code, body, err := rawGet(context.Background(), t, url+"/api", nil)
	if err != nil || code != http.StatusOK || body != "alice" {
		t.Fatalf("the refresh refused, a newer token stored meanwhile: %d %q %v; want the newer token used", code, body, err)
	}
	got, err := store.GetFor(context.Background(), "fake", "u-1")
	if err != nil || got == nil || got.AccessToken != newAccess {
		t.Fatalf("after invalid_grant the store holds %v (%v), want the newer token kept", got, err)
	}
}
