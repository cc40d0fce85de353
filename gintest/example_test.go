package gintest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gindance/gindance/gintest"
	"golang.org/x/oauth2"
)

// A complete authorization code flow with PKCE against an auto-approving
// provider, using golang.org/x/oauth2 as the client.
func Example() {
	p := gintest.StartProvider(gintest.Options{
		User: &gintest.User{ID: "42", Login: "ada", Name: "Ada Lovelace", Email: "ada@example.test", EmailVerified: true},
	})
	defer p.Close()

	conf := &oauth2.Config{
		ClientID:     gintest.DefaultClientID,
		ClientSecret: gintest.DefaultClientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: p.AuthURL(), TokenURL: p.TokenURL()},
		RedirectURL:  "http://127.0.0.1:8080/callback", // any loopback URI is accepted
		Scopes:       []string{"read:user"},
	}
	verifier := oauth2.GenerateVerifier()

	// The browser's visit to /authorize: stop at the redirect to the
	// callback and read the code from it.
	page, err := gintest.NewBrowser().NoFollow().Get(conf.AuthCodeURL("xyz", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		panic(err)
	}
	callback, _ := url.Parse(page.Header.Get("Location"))
	fmt.Println("state:", callback.Query().Get("state"))

	// The application's callback handler.
	tok, err := conf.Exchange(context.Background(), callback.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		panic(err)
	}
	resp, err := conf.Client(context.Background(), tok).Get(p.APIBaseURL() + "me")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var me struct{ ID, Login, Email string }
	json.NewDecoder(resp.Body).Decode(&me)
	fmt.Println(me.ID, me.Login, me.Email)
	// Output:
	// state: xyz
	// 42 ada ada@example.test
}

// Failure knobs make the provider misbehave for negative tests.
func ExampleProvider_Fail() {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "42", Login: "ada"}})
	defer p.Close()
	conf := &oauth2.Config{
		ClientID:     gintest.DefaultClientID,
		ClientSecret: gintest.DefaultClientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: p.AuthURL(), TokenURL: p.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader},
	}
	_, refresh := p.IssueToken("42", 0)

	p.Fail(gintest.Failure{TokenError: "invalid_grant", ErrorOnGrant: "refresh_token"})
	_, err := conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: refresh}).Token()
	if re, ok := err.(*oauth2.RetrieveError); ok {
		fmt.Println("refresh failed:", re.ErrorCode)
	}

	p.Fail(gintest.Failure{}) // back to normal
	_, err = conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: refresh}).Token()
	fmt.Println("refresh error:", err)
	fmt.Println("refresh requests:", p.Calls(gintest.EndpointRefresh))
	// Output:
	// refresh failed: invalid_grant
	// refresh error: <nil>
	// refresh requests: 2
}

// Without Options.User the provider shows a sign-in form; a Browser can
// fill it in like a person would.
func ExampleBrowser_SignIn() {
	p := gintest.StartProvider(gintest.Options{}) // interactive
	defer p.Close()
	conf := &oauth2.Config{
		ClientID:    gintest.DefaultClientID,
		Endpoint:    oauth2.Endpoint{AuthURL: p.AuthURL(), TokenURL: p.TokenURL()},
		RedirectURL: "http://localhost:8080/callback",
	}
	b := gintest.NewBrowser()
	form, err := b.Get(conf.AuthCodeURL("xyz", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if err != nil {
		panic(err)
	}
	fmt.Println(form.StatusCode)
	redirect, err := b.NoFollow().SignIn(form, "grace")
	if err != nil {
		panic(err)
	}
	fmt.Println(redirect.StatusCode == http.StatusSeeOther)
	callback, _ := url.Parse(redirect.Header.Get("Location"))
	fmt.Println(callback.Host, callback.Query().Get("state"), callback.Query().Get("code") != "")
	// Output:
	// 200
	// true
	// localhost:8080 xyz true
}

// A Provider made by NewProvider can be mounted on any server; tell it
// its address with SetBaseURL.
func ExampleNewProvider() {
	p := gintest.NewProvider(gintest.Options{})
	mux := http.NewServeMux()
	mux.Handle("/", p)
	// srv := httptest.NewServer(mux); p.SetBaseURL(srv.URL)
	p.SetBaseURL("http://127.0.0.1:9096")
	fmt.Println(p.AuthURL())
	fmt.Println(p.APIBaseURL() + "me")
	// Output:
	// http://127.0.0.1:9096/authorize
	// http://127.0.0.1:9096/api/me
}
