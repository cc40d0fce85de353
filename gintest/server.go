package gintest

import (
	"bytes"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/gindance/gindance/blueprint"
)

// server is where a fake provider is reachable: the httptest server its
// Start function began, or the base URL its owner set. Provider,
// OIDCProvider and OAuth1Provider embed one.
type server struct {
	mu      sync.Mutex
	baseURL string
	srv     *httptest.Server
	key     []byte // LoginCookieKey's, made at its first call
}

// start serves h on a new httptest.Server on 127.0.0.1.
func (s *server) start(h http.Handler) {
	srv := httptest.NewServer(h)
	s.mu.Lock()
	s.srv, s.baseURL = srv, srv.URL
	s.mu.Unlock()
}

// URL returns the provider's base URL, without a trailing slash: the
// server's address when started by a Start function, or what SetBaseURL
// set.
func (s *server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL
}

// SetBaseURL tells a provider served by a server of your own where it is
// reachable, for URL and the endpoint URLs.
func (s *server) SetBaseURL(u string) {
	s.mu.Lock()
	s.baseURL = strings.TrimRight(u, "/")
	s.mu.Unlock()
}

// Close stops the server started by a Start function. It does nothing for
// a provider that was not started that way, and may be called more than
// once.
func (s *server) Close() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// LoginCookieKey returns a random blueprint.LoginCookieKeySize-byte key, the
// same for every call on this provider, that the configs it returns
// (OAuth2Config, OAuth1Config) set as Options.LoginCookieKey. With it a
// test's blueprints seal pending logins without deriving the default key
// from the client secret, which costs about 100 ms of CPU and 64 MiB per
// blueprint (Argon2id) and would dominate a suite that makes hundreds of
// them. Two blueprints of one provider share the key, as replicas of an app
// do; a cookie sealed for one still opens in no other, since the
// blueprint's name is bound into it. A test of the default derived key sets
// LoginCookieKey to nil, and one of PendingLoginsInSession sets it to nil
// too (the two together are a configuration error).
func (s *server) LoginCookieKey() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil {
		s.key = make([]byte, blueprint.LoginCookieKeySize)
		rand.Read(s.key)
	}
	return bytes.Clone(s.key)
}
