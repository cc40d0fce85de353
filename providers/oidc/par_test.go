package oidc_test

import (
	"errors"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// RFC 9126 §5: a discovered pushed_authorization_request_endpoint and
// require_pushed_authorization_requests make every login push, without the
// app switching PAR on; the login completes against a provider that
// refuses front-channel requests.
func TestDiscoveredPARRequirement_RFC9126_5(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{PAR: true, RequirePAR: true})
	if page := f.get(t, "/login/idp"); page.Body != "authorized=true" {
		t.Fatalf("login: %d %q %v", page.StatusCode, page.Body, f.lastErr(t))
	}
}

// A provider that requires PAR but advertises no endpoint: the login fails
// with ErrPARRequired before the browser is sent anywhere.
func TestDiscoveredPARRequiredWithoutEndpoint_RFC9126_5(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{RequirePAR: true})
	f.get(t, "/login/idp")
	if err := f.lastErr(t); !errors.Is(err, blueprint.ErrPARRequired) {
		t.Fatalf("got %v", err)
	}
}
