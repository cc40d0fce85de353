package oidc_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/oidc"
)

func formPost(c *oidc.Config) { c.FormPost = true }

// An OIDC login with response_mode=form_post: the provider posts code,
// state and iss (RFC 9207) to the callback, and the id_token is verified as
// for a query response.
func TestFormPostLogin(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{IssParameter: true}, formPost)
	start, err := f.browser.NoFollow().Get(f.app.URL + "/login/idp")
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := url.Parse(start.Header.Get("Location"))
	if loc.Query().Get("response_mode") != "form_post" {
		t.Fatalf("authorization request %s lacks response_mode=form_post", loc)
	}
	if page := f.get(t, "/me"); page.StatusCode != http.StatusOK || page.Body != wantMe {
		t.Fatalf("after login: %d %q", page.StatusCode, page.Body)
	}
	f = newFixture(t, gintest.OIDCOptions{}, formPost)
	f.p.Fail(gintest.OIDCFailure{WrongNonce: true})
	assertLoginRefused(t, f, oidc.ErrNonce)
}

// RFC 9207 §2.4 over form_post: an iss in the posted form that is not the
// issuer is refused before the code is exchanged.
func TestFormPostForeignIssRefused(t *testing.T) {
	f := newFixture(t, gintest.OIDCOptions{IssParameter: true}, formPost)
	f.p.Fail(gintest.OIDCFailure{IssParam: "https://evil.example"})
	page := f.get(t, "/login/idp")
	if page.StatusCode != http.StatusBadRequest || !errors.Is(f.lastErr(t), blueprint.ErrIssuerMismatch) {
		t.Fatalf("%d %v", page.StatusCode, f.lastErr(t))
	}
}
