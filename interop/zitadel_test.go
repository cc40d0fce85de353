package interop

import (
	"context"
	"net"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// zitadel/oidc's example OpenID Provider (github.com/zitadel/oidc/v3,
// example/server; the version is the one in go.mod), run in this process
// with the example's own router, login form, in-memory storage and users,
// each check on a server of its own on a free loopback port.
//
// What the suite adds is the client registration, which the example leaves
// to its user: a web client (client_secret_basic) for the relying party's
// callback, and its post_logout_redirect_uri, which the example's clients
// cannot carry (storage.Client.PostLogoutRedirectURIs returns none).

// The example's user "id1", as its login form and claims know it.
const (
	zitadelPassword = "verysecure"
	zitadelSubject  = "id1"
)

// zitadelLifetime is the access token lifetime the example's storage
// hard-codes (storage.Storage.accessToken); it has no setting for it, so
// the refresh check forces refreshes with RefreshLeeway instead.
const zitadelLifetime = 5 * time.Minute

func TestZitadelExampleOP(t *testing.T) {
	s := &opServer{
		client:   startZitadel,
		signIn:   zitadelSignIn,
		scopes:   []string{"profile", "email", "offline_access"},
		lifetime: zitadelLifetime,
		user: blueprint.Identity{ID: zitadelSubject, Username: "test-user@127.0.0.1", Name: "Test User",
			Email: "test-user@zitadel.ch", EmailVerified: true},
	}
	s.run(t)
}

// startZitadel starts the example OP with one web client registered for
// the relying party.
func startZitadel(t *testing.T, redirectURI, postLogoutURI, secret string) (issuer, clientID, clientSecret string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer = "http://" + ln.Addr().String() + "/"
	clientID = "gindance"
	if secret == "" {
		secret = "zitadel-client-secret"
	}
	clients := map[string]*storage.Client{clientID: storage.WebClient(clientID, secret, redirectURI)}
	st := &zitadelStorage{
		Storage:    storage.NewStorageWithClients(storage.NewUserStore(issuer), clients),
		postLogout: map[string][]string{clientID: {postLogoutURI}},
	}
	srv := httptest.NewUnstartedServer(exampleop.SetupServer(issuer, st, nil, false))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer, clientID, secret
}

// zitadelSignIn fills the example's login form (username, password) as a
// person would and follows the redirects back to the app.
func zitadelSignIn(t *testing.T, b *gintest.Browser, page *gintest.Page) *gintest.Page {
	t.Helper()
	if page.URL.Path != "/login/username" {
		t.Fatalf("the provider did not show its login form: %v %d %s", page.URL, page.StatusCode, excerpt(page.Body))
	}
	u, _ := url.Parse(page.URL.String())
	next, err := submitForm(b, page, url.Values{"username": {"test-user@" + u.Hostname()}, "password": {zitadelPassword}})
	if err != nil {
		t.Fatal(err)
	}
	return next
}

// zitadelStorage is the example's storage with post-logout redirect URIs
// for its clients.
type zitadelStorage struct {
	*storage.Storage

	mu         sync.Mutex
	postLogout map[string][]string
}

func (s *zitadelStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return postLogoutClient{Client: c, uris: s.postLogout[id]}, nil
}

type postLogoutClient struct {
	op.Client
	uris []string
}

func (c postLogoutClient) PostLogoutRedirectURIs() []string { return c.uris }
