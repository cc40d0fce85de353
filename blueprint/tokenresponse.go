package blueprint

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// maxTokenResponse bounds what is read of a token endpoint's answer.
const maxTokenResponse = 1 << 20

// captureTransport keeps a bounded copy of the token endpoint's answer, for
// the fields x/oauth2 does not expose and for precise errors.
type captureTransport struct {
	base   http.RoundTripper
	status int
	ctype  string
	retry  string // Retry-After
	body   []byte
	big    bool
}

func (t *captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse+1))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	t.status, t.ctype = resp.StatusCode, resp.Header.Get("Content-Type")
	t.retry = resp.Header.Get("Retry-After")
	if len(body) > maxTokenResponse {
		t.big = true
		body = nil
	}
	t.body = body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// raw decodes the captured answer into a map of its members.
func (t *captureTransport) raw() map[string]any {
	m := map[string]any{}
	media, _, _ := mime.ParseMediaType(t.ctype)
	if media == "application/x-www-form-urlencoded" || media == "text/plain" {
		vals, _ := url.ParseQuery(string(t.body))
		for k := range vals {
			m[k] = vals.Get(k)
		}
		return m
	}
	_ = json.Unmarshal(t.body, &m)
	return m
}

// tokenCall runs one call to the token endpoint through x/oauth2 with a
// capturing client, and turns its outcome into a Token or a *ProviderError.
func (p *oauth2Protocol) tokenCall(ctx context.Context, ep Endpoints, key *dpopKey, op string, scopes []string, call func(context.Context) (*oauth2.Token, error)) (*Token, error) {
	base := p.client.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	ct := &captureTransport{base: &providerTransport{base: base, p: p, ep: ep, dpop: key}}
	// ctx carries the ProviderTimeout deadline (every caller sets it), which
	// bounds the body read too: a client Timeout as well would only add a
	// second timer per call. The app's own client Timeout is kept.
	hc := &http.Client{Transport: ct, Timeout: p.client.Timeout, Jar: p.client.Jar, CheckRedirect: p.client.CheckRedirect}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	ot, err := call(ctx)
	if err != nil {
		return nil, p.tokenError(op, ct, err)
	}
	raw := ct.raw()
	tok := fromOAuth2(ot, raw, scopes, p.cfg.Protocol.ScopeSeparator)
	// x/oauth2 sets Expiry from expires_in with its own time.Now; the
	// blueprint decides about expiry with Options.Now, so the expiry is
	// taken from that same clock.
	if d := expiresIn(raw); d != 0 && !ot.Expiry.IsZero() {
		tok.Expiry = p.now().Add(d)
	}
	switch t := tok.TokenType; {
	case key != nil && !tok.isDPoP():
		return nil, &ProviderError{Provider: p.name, Op: op, StatusCode: ct.status, Err: ErrDPoPNotBound}
	case key != nil:
		tok.TokenType, tok.DPoPKey = dpopScheme, key.priv
	case t != "" && !strings.EqualFold(t, "bearer"):
		// token_type DPoP too: without DPoP on there is no key to use it.
		return nil, &ProviderError{Provider: p.name, Op: op, StatusCode: ct.status,
			Err: fmt.Errorf("%w %q", ErrUnsupportedTokenType, excerpt(t, 32))}
	}
	return tok, nil
}

// expiresIn reads a token response's expires_in (RFC 6749 §5.1): seconds,
// as a JSON number or, from some providers, a string; 0 when absent or
// unreadable or not positive, at most math.MaxInt32 seconds.
func expiresIn(raw map[string]any) time.Duration {
	var secs int64
	switch v := raw["expires_in"].(type) {
	case float64:
		secs = int64(v)
	case string:
		secs, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	}
	// capped as x/oauth2 caps it (about 68 years), so that a huge value
	// cannot overflow the Duration into an expiry in the past
	return time.Duration(min(max(secs, 0), math.MaxInt32)) * time.Second
}

// retryAfter reads a Retry-After header, delay-seconds or an HTTP-date
// (RFC 9110 §10.2.3); 0 when absent, unreadable or in the past.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(maxRefreshBackoff/time.Second))) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}

func (p *oauth2Protocol) tokenError(op string, ct *captureTransport, err error) error {
	pe := &ProviderError{Provider: p.name, Op: op, StatusCode: ct.status, Err: err, RetryAfter: retryAfter(ct.retry, p.now())}
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re):
		pe.Code = excerpt(re.ErrorCode, 64)
		pe.Description = excerpt(re.ErrorDescription, 512)
		pe.Err = errors.New("unexpected answer from the token endpoint")
		if re.Response != nil {
			pe.StatusCode = re.Response.StatusCode
		}
	case ct.big:
		pe.Err = fmt.Errorf("%w: larger than %d bytes", ErrBadTokenResponse, maxTokenResponse)
	case ct.status >= 200 && ct.status < 300:
		if m := ct.raw(); len(m) > 0 && m["access_token"] == nil {
			pe.Err = ErrNoAccessToken
		} else {
			pe.Err = ErrBadTokenResponse
		}
	}
	return pe
}
