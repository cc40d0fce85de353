package blueprint_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"golang.org/x/net/http/httpguts"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// guardNet is a network in memory for FuzzHostGuard: every dial is
// recorded and answered over a net.Pipe by a server that records the
// request's Host and answers GET /redirect with a 302 and POST /revoke
// with a 307 to location, anything else with 204. Nothing leaves the
// process.
type guardNet struct {
	mu       sync.Mutex
	location string
	conns    []guardConn
}

// guardConn is one dial: the address net/http dialed and the Host of the
// request it sent on it ("" when none was read, as after a TLS hello).
type guardConn struct{ dialed, host string }

func (g *guardNet) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	client, server := net.Pipe()
	g.mu.Lock()
	i := len(g.conns)
	g.conns = append(g.conns, guardConn{dialed: addr})
	loc := g.location
	g.mu.Unlock()
	go func() {
		defer server.Close()
		req, err := http.ReadRequest(bufio.NewReader(server))
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		g.mu.Lock()
		g.conns[i].host = req.Host
		g.mu.Unlock()
		status := http.StatusNoContent
		switch req.URL.Path {
		case "/redirect":
			status = http.StatusFound
		case "/revoke":
			status = http.StatusTemporaryRedirect
		}
		fmt.Fprintf(server, "HTTP/1.1 %d %s\r\nLocation: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status, http.StatusText(status), loc)
	}()
	return client, nil
}

// take returns the dials so far and forgets them.
func (g *guardNet) take() []guardConn {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := g.conns
	g.conns = nil
	return c
}

// checkDials fails t unless every dial went to one of allowed (host:port,
// lower case) and every request on it named the host it was dialed as.
func checkDials(t *testing.T, what string, conns []guardConn, allowed ...string) {
	t.Helper()
	for _, c := range conns {
		dialed := strings.ToLower(c.dialed)
		ok := false
		for _, a := range allowed {
			ok = ok || dialed == a
		}
		if !ok {
			t.Fatalf("%s: the guard let net/http dial %q (allowed: %q)", what, c.dialed, allowed)
		}
		if c.host == "" {
			continue
		}
		dh, dp, _ := net.SplitHostPort(dialed)
		hh, hp, err := net.SplitHostPort(strings.ToLower(c.host))
		if err != nil {
			hh, hp = strings.Trim(strings.ToLower(c.host), "[]"), dp
		}
		if hh != dh || hp != dp {
			t.Fatalf("%s: dialed %q but the request named Host %q", what, c.dialed, c.host)
		}
	}
}

// FuzzHostGuard is a differential test of the host guard against
// net/http itself: whatever URL the guard lets through (as an absolute URL
// given to Client.Get or to Client.HTTPClient, as the Location of the
// API's 302 to either, as the Location
// of the revocation endpoint's 307), the host net/http actually dials, and
// the Host it names in the request, is the API's or an allowed one (the
// revocation endpoint's own, for its redirect).
func FuzzHostGuard(f *testing.F) {
	for _, s := range []string{
		"http://api.kiwi.test:8443/x", "HTTP://API.KIWI.TEST:8443/x", "/relative?q=1",
		"http://api.k\u0130wi.test:8443/x", "http://api.\u212Aiwi.test:8443/x", // finding 1
		"http://api.\uff4b\uff49\uff57\uff49.test:8443/x", "http://api.kiwi.test.:8443/x",
		"http://api.k%C4%B0wi.test:8443/x", "http://api.ki\u200dwi.test:8443/x", "http://api\uff0ekiwi.test:8443/x",
		"http://[2001:db8::1]:8443/x", "http://[2001:db8::1:8443]/x", "http://[2001:DB8::1]:8443/x", // finding 2
		"http://[2001:db8::1%25eth0]:8443/x", "http://[::ffff:127.0.0.1]:8443/x",
		"https://uploads.kiwi.test/x", "https://uploads.kiwi.test:443/x", "http://uploads.kiwi.test/x",
		"http://idp.kiwi.test:8443/revoke", "http://\u0130dp.kiwi.test:8443/revoke", "http://idp.kiwi.test.:8443/revoke",
		"http://api.kiwi.test:8443@evil.test/x", "http://evil.test#@api.kiwi.test:8443/", "//evil.test/x",
	} {
		f.Add(s)
	}
	g := &guardNet{}
	hc := &http.Client{Transport: &http.Transport{DialContext: g.dial}}
	cfg := staticConfig("http://api.kiwi.test:8443/")
	cfg.RevocationURL = "http://idp.kiwi.test:8443/revoke"
	cfg.AllowedHosts = []string{"https://uploads.kiwi.test", "http://[2001:db8::1]:8443"}
	cfg.HTTPClient = hc
	b := blueprint.NewOAuth2("p", cfg)
	tok := &blueprint.Token{AccessToken: "at-fuzz"}
	store := gintest.SeedToken(b, tok)
	var target string
	r := newEngine()
	b.Mount(r.Group("/login"))
	r.GET("/get", func(c *gin.Context) {
		if resp, err := b.Client(c).Get(target); err == nil {
			resp.Body.Close()
		}
	})
	r.GET("/httpclient", func(c *gin.Context) { // as go-github and the like call
		req, err := http.NewRequestWithContext(c.Request.Context(), http.MethodGet, target, nil)
		if err != nil {
			return
		}
		if resp, err := b.Client(c).HTTPClient().Do(req); err == nil {
			resp.Body.Close()
		}
	})
	r.GET("/logout", func(c *gin.Context) { _ = b.Logout(c) })
	api := []string{"api.kiwi.test:8443", "uploads.kiwi.test:443", "[2001:db8::1]:8443"}

	f.Fuzz(func(t *testing.T, raw string) {
		g.take()
		_ = store.Set(nil, "p", tok) // the last run's logout deleted it
		target = raw
		serve(r, http.MethodGet, "/get", nil)
		checkDials(t, "Get", g.take(), api...)
		serve(r, http.MethodGet, "/httpclient", nil)
		checkDials(t, "HTTPClient", g.take(), api...)
		if !httpguts.ValidHeaderFieldValue(raw) {
			return // not a Location a server could send
		}
		g.mu.Lock()
		g.location = raw
		g.mu.Unlock()
		target = "/redirect"
		serve(r, http.MethodGet, "/get", nil)
		checkDials(t, "the API's 302", g.take(), api...)
		target = "http://api.kiwi.test:8443/redirect"
		serve(r, http.MethodGet, "/httpclient", nil)
		checkDials(t, "the API's 302 to HTTPClient", g.take(), api...)
		_ = store.Set(nil, "p", tok)
		serve(r, http.MethodGet, "/logout", nil)
		checkDials(t, "the revocation endpoint's 307", g.take(), "idp.kiwi.test:8443")
	})
}
