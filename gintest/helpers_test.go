package gintest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// testRedirect is a loopback callback nobody listens on: tests stop at
// the redirect and read the code from its Location.
const testRedirect = "http://127.0.0.1:9/callback"

func start(t *testing.T, opts Options) *Provider {
	t.Helper()
	p := StartProvider(opts)
	t.Cleanup(p.Close)
	return p
}

func ada() *User {
	return &User{ID: "42", Login: "ada", Name: "Ada Lovelace", Email: "ada@example.test", EmailVerified: true, AvatarURL: "https://avatars.example.test/42"}
}

func config(p *Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     DefaultClientID,
		ClientSecret: DefaultClientSecret,
		// Not AuthStyleAutoDetect: it retries a failed exchange with the
		// other style, replaying the code.
		Endpoint:    oauth2.Endpoint{AuthURL: p.AuthURL(), TokenURL: p.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader},
		RedirectURL: testRedirect,
		Scopes:      []string{"read:user", "user:email"},
	}
}

// authorizeRedirect loads authURL without following the redirect and
// returns the parsed Location.
func authorizeRedirect(t *testing.T, authURL string) *url.URL {
	t.Helper()
	page, err := NewBrowser().NoFollow().Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != http.StatusFound {
		t.Fatalf("GET /authorize: status %d, want 302; body:\n%s", page.StatusCode, page.Body)
	}
	loc, err := url.Parse(page.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// getCode runs /authorize for conf with PKCE from verifier and returns
// the code, checking state came back.
func getCode(t *testing.T, conf *oauth2.Config, verifier string) string {
	t.Helper()
	loc := authorizeRedirect(t, conf.AuthCodeURL("st8", oauth2.S256ChallengeOption(verifier)))
	q := loc.Query()
	if q.Get("state") != "st8" {
		t.Fatalf("state = %q, want st8 (redirect %s)", q.Get("state"), loc)
	}
	code := q.Get("code")
	if code == "" {
		t.Fatalf("no code in redirect %s", loc)
	}
	return code
}

// login runs the whole code flow and returns the token.
func login(t *testing.T, conf *oauth2.Config) *oauth2.Token {
	t.Helper()
	v := oauth2.GenerateVerifier()
	tok, err := conf.Exchange(context.Background(), getCode(t, conf, v), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// errorCode returns the RFC 6749 §5.2 error code in err, or "".
func errorCode(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

func wantErrorCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := errorCode(err); got != code {
		t.Fatalf("error code %q, want %q (err: %v)", got, code, err)
	}
}

// me calls /api/me with token as a bearer token.
func me(t *testing.T, p *Provider, token string) (int, userJSON, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.APIBaseURL()+"me", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var u userJSON
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&u); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, u, resp.Header
}

// postToken posts form to /token with client_secret_basic of the default
// client and returns the status and decoded JSON body.
func postForm(t *testing.T, endpoint string, form url.Values, basic bool) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

var errDup = errors.New("duplicate access token issued")

func errorAs(err error, target any) bool { return errors.As(err, target) }

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
