package gintest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func TestKnobDeny(t *testing.T) {
	p := start(t, Options{User: ada()})
	p.Fail(Failure{Deny: true})
	q := authorizeRedirect(t, config(p).AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))).Query()
	if q.Get("error") != "access_denied" || q.Get("error_description") == "" || q.Get("state") != "st" || q.Get("code") != "" {
		t.Fatalf("redirect query %v, want access_denied with description and state", q)
	}
	p.Fail(Failure{})
	getCode(t, config(p), oauth2.GenerateVerifier())
}

func TestKnobAuthorizeError(t *testing.T) {
	p := start(t, Options{User: ada()})
	p.Fail(Failure{AuthorizeError: "temporarily_unavailable"})
	q := authorizeRedirect(t, config(p).AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))).Query()
	if q.Get("error") != "temporarily_unavailable" || q.Get("state") != "st" {
		t.Fatalf("redirect query %v", q)
	}
}

// The knob does not override client validation: a bad client still gets
// the 400 page, not a redirect.
func TestKnobDenyKeepsClientValidation(t *testing.T) {
	p := start(t, Options{User: ada()})
	p.Fail(Failure{Deny: true})
	page, err := NewBrowser().NoFollow().Get(p.AuthURL() + "?response_type=code&client_id=nobody&redirect_uri=http://127.0.0.1/cb")
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != 400 {
		t.Fatalf("status %d, want 400", page.StatusCode)
	}
}

func exchangeWith(t *testing.T, p *Provider, f Failure) (*oauth2.Token, error) {
	t.Helper()
	conf := config(p)
	v := oauth2.GenerateVerifier()
	code := getCode(t, conf, v)
	p.Fail(f)
	defer p.Fail(Failure{})
	return conf.Exchange(bg, code, oauth2.VerifierOption(v))
}

func TestKnobTokenError(t *testing.T) {
	p := start(t, Options{User: ada()})
	_, err := exchangeWith(t, p, Failure{TokenError: "invalid_grant"})
	wantErrorCode(t, err, "invalid_grant")
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response.StatusCode != 400 {
		t.Errorf("status %d, want 400", re.Response.StatusCode)
	}
}

func TestKnobTokenStatus(t *testing.T) {
	p := start(t, Options{User: ada()})
	_, err := exchangeWith(t, p, Failure{TokenStatus: 503})
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != 503 || !contains(string(re.Body), "503") {
		t.Fatalf("err %v, want a 503 with an HTML body", err)
	}
}

// The injected failure leaves the code unconsumed, so a retry works.
func TestKnobTokenStatusThenRetry(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	v := oauth2.GenerateVerifier()
	code := getCode(t, conf, v)
	p.Fail(Failure{TokenStatus: 500})
	if _, err := conf.Exchange(bg, code, oauth2.VerifierOption(v)); err == nil {
		t.Fatal("want an error while failing")
	}
	p.Fail(Failure{})
	if _, err := conf.Exchange(bg, code, oauth2.VerifierOption(v)); err != nil {
		t.Fatalf("retry after clearing the knob: %v", err)
	}
}

func TestKnobTokenDelay(t *testing.T) {
	p := start(t, Options{User: ada()})
	ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
	defer cancel()
	conf := config(p)
	v := oauth2.GenerateVerifier()
	code := getCode(t, conf, v)
	p.Fail(Failure{TokenDelay: 10 * time.Second})
	start := time.Now()
	_, err := conf.Exchange(ctx, code, oauth2.VerifierOption(v))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	// A short delay still answers.
	p.Fail(Failure{TokenDelay: 30 * time.Millisecond})
	start = time.Now()
	if _, err := conf.Exchange(bg, code, oauth2.VerifierOption(v)); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 30*time.Millisecond {
		t.Error("answered before the delay")
	}
}

func TestKnobTokenGarbage(t *testing.T) {
	p := start(t, Options{User: ada()})
	if _, err := exchangeWith(t, p, Failure{TokenGarbage: true}); err == nil {
		t.Fatal("garbage JSON accepted")
	}
}

func TestKnobTokenHTML(t *testing.T) {
	p := start(t, Options{User: ada()})
	status, body := rawToken(t, p, Failure{TokenHTML: true})
	if status != 200 || !contains(body, "<h1>") {
		t.Fatalf("%d %q", status, body)
	}
	if _, err := exchangeWith(t, p, Failure{TokenHTML: true}); err == nil {
		t.Fatal("an HTML page was accepted as a token")
	}
}

func TestKnobTokenMissingAccessToken(t *testing.T) {
	p := start(t, Options{User: ada()})
	_, err := exchangeWith(t, p, Failure{TokenMissingAccessToken: true})
	if err == nil || !contains(err.Error(), "missing access_token") {
		t.Fatalf("err %v, want missing access_token", err)
	}
}

func TestKnobTokenHuge(t *testing.T) {
	p := start(t, Options{User: ada()})
	status, body := rawToken(t, p, Failure{TokenHuge: 2 << 20})
	if status != 200 || len(body) != 2<<20 {
		t.Fatalf("status %d, %d bytes, want 200 and %d", status, len(body), 2<<20)
	}
	// x/oauth2 reads at most 1 MiB and then fails to parse.
	if _, err := exchangeWith(t, p, Failure{TokenHuge: 2 << 20}); err == nil {
		t.Fatal("a 2 MiB token response was accepted")
	}
}

func TestKnobTokenType(t *testing.T) {
	p := start(t, Options{User: ada()})
	tok, err := exchangeWith(t, p, Failure{TokenType: "mac"})
	if err != nil {
		t.Fatal(err)
	}
	if tok.TokenType != "mac" {
		t.Fatalf("token_type %q, want mac", tok.TokenType)
	}
}

func TestKnobErrorOnGrant(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	p.Fail(Failure{TokenError: "invalid_grant", ErrorOnGrant: "refresh_token"})
	tok := login(t, conf) // authorization_code unaffected
	_, err := conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	wantErrorCode(t, err, "invalid_grant")
	p.Fail(Failure{})
	if _, err := conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Fatalf("refresh after clearing: %v", err)
	}
}

func TestKnobAPIStatus(t *testing.T) {
	p := start(t, Options{User: ada()})
	tok := login(t, config(p))
	p.Fail(Failure{APIStatus: 502})
	if status, _, _ := me(t, p, tok.AccessToken); status != 502 {
		t.Fatalf("status %d, want 502", status)
	}
	p.Fail(Failure{})
	if status, _, _ := me(t, p, tok.AccessToken); status != 200 {
		t.Fatalf("status %d after clearing, want 200", status)
	}
}

// Knobs may change while requests are in flight; run with -race.
func TestKnobsConcurrent(t *testing.T) {
	p := start(t, Options{User: ada()})
	access, _ := p.IssueToken("42", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			p.Fail(Failure{APIStatus: 500 + i%2})
		}
	}()
	for range 20 {
		me(t, p, access)
	}
	<-done
}

// rawToken posts a client_credentials request under f and returns the
// raw answer.
func rawToken(t *testing.T, p *Provider, f Failure) (int, string) {
	t.Helper()
	p.Fail(f)
	defer p.Fail(Failure{})
	req, _ := http.NewRequest(http.MethodPost, p.TokenURL(), stringsReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestKnobTokenRetryAfter(t *testing.T) {
	p := start(t, Options{User: ada()})
	_, err := exchangeWith(t, p, Failure{TokenStatus: 429, TokenRetryAfter: 3 * time.Second})
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != 429 || re.Response.Header.Get("Retry-After") != "3" {
		t.Fatalf("err %v, want a 429 with Retry-After: 3", err)
	}
}

// A dropped connection is a transport error, and leaves the code unused.
func TestKnobTokenDrop(t *testing.T) {
	p := start(t, Options{User: ada()})
	conf := config(p)
	v := oauth2.GenerateVerifier()
	code := getCode(t, conf, v)
	p.Fail(Failure{TokenDrop: true})
	_, err := conf.Exchange(bg, code, oauth2.VerifierOption(v))
	var re *oauth2.RetrieveError
	if err == nil || errors.As(err, &re) {
		t.Fatalf("err %v, want a transport error", err)
	}
	p.Fail(Failure{})
	if _, err := conf.Exchange(bg, code, oauth2.VerifierOption(v)); err != nil {
		t.Fatalf("after the drop: %v", err)
	}
}

// A refresh token presented again after rotation is counted.
func TestRefreshReusesCounted(t *testing.T) {
	p := start(t, Options{User: ada(), RotateRefreshTokens: true})
	_, refresh := p.IssueToken("ada", time.Hour)
	conf := config(p)
	for range 2 {
		_, _ = conf.TokenSource(bg, &oauth2.Token{RefreshToken: refresh, Expiry: time.Now().Add(-time.Hour)}).Token()
	}
	if n := p.RefreshReuses(); n != 1 {
		t.Fatalf("RefreshReuses %d after one replay, want 1", n)
	}
}
