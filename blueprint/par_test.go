package blueprint_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// parApp mounts b at /login with "/" reporting the login and OnError
// recording the error.
func parApp(t *testing.T, b *blueprint.Blueprint) (string, *error) {
	t.Helper()
	var got error
	b.OnError(func(c *gin.Context, err error) { got = err; c.String(blueprint.StatusCode(err), "failed") })
	r := newEngine()
	b.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "authorized=%v", b.Authorized(c)) })
	app := httptest.NewServer(r)
	t.Cleanup(app.Close)
	return app.URL, &got
}

// RFC 9126 §2.1 and §4: the authorization parameters (PKCE challenge,
// state, redirect_uri, scope) go to the PAR endpoint with the client's
// authentication; the browser is sent with only client_id and request_uri,
// and the login completes against a server that requires PAR (§5).
func TestPARSendsBrowserWithRequestURIOnly_RFC9126_4(t *testing.T) {
	rp := startRecordingProvider(t, gintest.Options{User: &gintest.User{ID: "u", Login: "alice"}, RequirePAR: true})
	b := rp.NewBlueprint("idp", func(c *blueprint.OAuth2Config) {
		c.PARURL, c.PushAuthorizationRequests = rp.PARURL(), true
	})
	appURL, _ := parApp(t, b)
	br := gintest.NewBrowser()
	first, err := br.NoFollow().Get(appURL + "/login/idp")
	if err != nil || first.StatusCode != http.StatusFound {
		t.Fatalf("%v %d", err, first.StatusCode)
	}
	loc, _ := url.Parse(first.Header.Get("Location"))
	q := loc.Query()
	if len(q) != 2 || q.Get("client_id") != gintest.DefaultClientID || q.Get("request_uri") == "" {
		t.Fatalf("the browser carries %v, want client_id and request_uri only", q)
	}
	pushes := rp.posts("/par")
	if len(pushes) != 1 {
		t.Fatalf("%d PAR requests", len(pushes))
	}
	f := pushes[0].form
	for _, k := range []string{"response_type", "redirect_uri", "state", "code_challenge", "code_challenge_method"} {
		if f.Get(k) == "" {
			t.Errorf("PAR request lacks %s", k)
		}
	}
	if pushes[0].header.Get("Authorization") == "" {
		t.Error("PAR request without client authentication")
	}
	page, err := br.Get(loc.String())
	if err != nil || page.Body != "authorized=true" {
		t.Fatalf("login: %v %q", err, page.Body)
	}
}

// RFC 9126 §2.3: a PAR error response ends the login in OnError with
// ErrPAR inside a *ProviderError carrying the provider's code; the browser
// is not sent to the provider.
func TestPARErrorEndsInOnError_RFC9126_2_3(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u"}})
	t.Cleanup(p.Close)
	p.Fail(gintest.Failure{PARError: "invalid_request"})
	b := p.NewBlueprint("idp", func(c *blueprint.OAuth2Config) { c.PARURL, c.PushAuthorizationRequests = p.PARURL(), true })
	appURL, got := parApp(t, b)
	page, err := gintest.NewBrowser().NoFollow().Get(appURL + "/login/idp")
	if err != nil || page.StatusCode != http.StatusBadGateway || page.Header.Get("Location") != "" {
		t.Fatalf("%v %d %q", err, page.StatusCode, page.Header.Get("Location"))
	}
	var pe *blueprint.ProviderError
	if !errors.Is(*got, blueprint.ErrPAR) || !errors.As(*got, &pe) || pe.Op != "par" || pe.Code != "invalid_request" {
		t.Fatalf("got %v", *got)
	}
	if p.Calls(gintest.EndpointAuthorize) != 0 {
		t.Fatal("the browser reached the authorization endpoint")
	}
}

// RFC 9126 §5: a provider that requires PAR (discovered
// require_pushed_authorization_requests) but has no PAR endpoint known is a
// clear ErrPARRequired, never a silent front-channel request; PAR switched
// on without an endpoint stops Mount.
func TestPARRequiredWithoutEndpointRefused_RFC9126_5(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u"}})
	t.Cleanup(p.Close)
	b := p.NewBlueprint("idp", func(c *blueprint.OAuth2Config) {
		c.Protocol.Endpoints = func(context.Context) (blueprint.Endpoints, error) {
			return blueprint.Endpoints{RequirePAR: true}, nil
		}
	})
	appURL, got := parApp(t, b)
	page, err := gintest.NewBrowser().NoFollow().Get(appURL + "/login/idp")
	if err != nil || page.Header.Get("Location") != "" || !errors.Is(*got, blueprint.ErrPARRequired) {
		t.Fatalf("%v %q %v", err, page.Header.Get("Location"), *got)
	}
	if p.Calls(gintest.EndpointAuthorize) != 0 {
		t.Fatal("fell back to a front-channel request")
	}
	cfg := staticConfig("")
	cfg.PushAuthorizationRequests = true
	if err := blueprint.NewOAuth2("idp", cfg).Validate(); !errors.Is(err, blueprint.ErrPARRequired) {
		t.Fatalf("Validate = %v", err)
	}
}

// A discovered PAR requirement and endpoint push without the app switching
// PAR on.
func TestPARDiscoveredRequirement(t *testing.T) {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u"}, RequirePAR: true})
	t.Cleanup(p.Close)
	b := p.NewBlueprint("idp", func(c *blueprint.OAuth2Config) {
		c.Protocol.Endpoints = func(context.Context) (blueprint.Endpoints, error) {
			return blueprint.Endpoints{RequirePAR: true, PARURL: p.PARURL()}, nil
		}
	})
	appURL, got := parApp(t, b)
	page, err := gintest.NewBrowser().Get(appURL + "/login/idp")
	if err != nil || page.Body != "authorized=true" {
		t.Fatalf("%v %q %v", err, page.Body, *got)
	}
	if p.Calls(gintest.EndpointPAR) != 1 {
		t.Fatalf("%d PAR calls", p.Calls(gintest.EndpointPAR))
	}
}
