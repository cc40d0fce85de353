package blueprint

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
)

// HTTPClient returns a standard *http.Client for API client libraries that
// take one (go-github, google.golang.org/api, slack-go, ...). Its calls do
// what the Client's do: they carry the user's token (loaded and refreshed
// once however many calls race, Bearer or DPoP-signed), answer an API's
// 401 invalid_token with one refresh and one more try (see
// Options.DisableRefreshOn401), and go only to the API's origin and
// AllowedHosts, redirects included: any other URL fails with
// ErrForeignHost before a header leaves. It resolves nothing: requests
// carry absolute URLs. It is bound to the Client's user and, like the
// Client, made once: every call returns the same client. A call fails
// with ErrNotAuthorized when there is no usable token.
func (cl *Client) HTTPClient() *http.Client {
	if hc := cl.hc.Load(); hc != nil {
		return hc
	}
	hc := new(http.Client)
	*hc = *cl.b.set.api // its redirect guard, timeout and jar
	hc.Transport = clientTransport{cl}
	if !cl.hc.CompareAndSwap(nil, hc) {
		return cl.hc.Load()
	}
	return hc
}

// clientTransport is HTTPClient's transport: the host guard, the user's
// token and the 401 refresh around the blueprint's signing transport.
type clientTransport struct{ cl *Client }

func (t clientTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	cl := t.cl
	if !req.URL.IsAbs() {
		closeBody(req)
		return nil, fmt.Errorf("gindance: HTTPClient needs an absolute URL, got %q", req.URL.Redacted())
	}
	// The API's own scheme and host, byte for byte, have its origin;
	// anything else goes through the guard.
	if base := cl.b.set.apiBase; base == nil || req.URL.Host != base.Host || req.URL.Scheme != base.Scheme {
		if _, err := cl.b.resolve(req.URL); err != nil {
			closeBody(req)
			return nil, err
		}
	}
	tok, err := cl.token()
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.send(req, tok)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		return cl.after401(req, resp, tok, t.send)
	}
	return resp, err
}

// send signs a copy of req with tok: a RoundTripper must not change the
// request it is given, so the copy gets a header map of its own (sharing
// the values, which signing replaces rather than changes).
func (t clientTransport) send(req *http.Request, tok *Token) (*http.Response, error) {
	r := req.WithContext(t.cl.signing(req.Context(), tok))
	if r.Header = maps.Clone(req.Header); r.Header == nil {
		r.Header = make(http.Header, 1)
	}
	return t.cl.b.set.api.Transport.RoundTrip(r)
}

// resend sends req, a request the Client made and sent with a token before,
// again with tok.
func (cl *Client) resend(req *http.Request, tok *Token) (*http.Response, error) {
	r := req.Clone(cl.signing(req.Context(), tok))
	r.Header.Del("Authorization")
	r.Header.Del("DPoP")
	return cl.b.set.api.Do(r)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// after401 handles the API's 401 answer resp to req, sent with used (see
// Options.DisableRefreshOn401): when it says the token is invalid and the
// token can be refreshed and was not just refreshed, it refreshes the
// token once and sends req again with send, once. Otherwise, or when
// req's body cannot be sent again, resp is returned as it is. A failed
// refresh is returned as the error (an invalid_grant one wraps
// ErrNotAuthorized: the token is forgotten).
func (cl *Client) after401(req *http.Request, resp *http.Response, used *Token,
	send func(*http.Request, *Token) (*http.Response, error)) (*http.Response, error) {
	if cl.b.set.noRefreshOn401 || used.RefreshToken == "" || cl.justRefreshed(used) || !invalidToken(resp.Header) {
		return resp, nil
	}
	getBody := replayable(req)
	if getBody == nil {
		return resp, nil
	}
	body, err := getBody()
	if err != nil {
		return resp, nil
	}
	tok, err := cl.renew(used)
	if err != nil {
		body.Close()
		discard(resp)
		return nil, err
	}
	discard(resp)
	r := req.WithContext(req.Context())
	r.Body = body
	return send(r, tok)
}

// discard reads a little of an answer that is not handed on, so that its
// connection can be reused, and closes it.
func discard(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
}

// renew replaces used, which the API refused, by a refreshed token: through
// the blueprint's single refresh, so that calls racing with the same token,
// in this Client or any other, make one provider call. Calls of this Client
// that got their 401 after another call replaced used take its result.
func (cl *Client) renew(used *Token) (*Token, error) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cur := cl.cur.Load(); cur != nil && cur.err == nil && cur.sc.tok != used {
		return cur.sc.tok, nil
	}
	tok, err := cl.b.refreshToken(cl.owner(), used)
	if err != nil {
		if errors.Is(err, ErrNotAuthorized) { // forgotten: later calls fail at once
			if cl.c == nil {
				cl.cur.Store(nil) // ClientFor reads the store again
			} else {
				cl.cur.Store(&replacement{err: err})
			}
		}
		return nil, err
	}
	cl.setCurrent(tok, true)
	return tok, nil
}

// owner is whose token the Client uses.
func (cl *Client) owner() owner {
	if cl.c == nil {
		return owner{ctx: cl.keyed.ctx, user: cl.keyed.key, us: cl.keyed.us}
	}
	return requestOwner(cl.c)
}

// setCurrent makes tok the token the Client's calls use. Its caller holds
// cl.mu.
func (cl *Client) setCurrent(tok *Token, refreshed bool) {
	cur := &replacement{refreshed: refreshed}
	cur.sc.init(cl.context(), tok)
	cur.sc.tok = tok
	cl.cur.Store(cur)
}

// justRefreshed reports whether tok is what a refresh gave this Client: an
// API that refuses it is not asked again with another refresh.
func (cl *Client) justRefreshed(tok *Token) bool {
	if cur := cl.cur.Load(); cur != nil && cur.sc.tok == tok {
		return cur.refreshed
	}
	return cl.st.refreshed && cl.st.tok == tok
}
