package gintest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// server is where a fake provider is reachable: the httptest server its
// Start function began, or the base URL its owner set. Provider,
// OIDCProvider and OAuth1Provider embed one.
type server struct {
	mu      sync.Mutex
	baseURL string
	srv     *httptest.Server
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
