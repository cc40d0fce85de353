package blueprint

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/gin-gonic/gin"
)

// maxJSONBody bounds what GetJSON decodes; apiErrorExcerpt bounds the body
// kept in an *APIError.
const (
	maxJSONBody     = 10 << 20
	apiErrorExcerpt = 512
)

// Client calls the provider's API on behalf of the logged-in user of one
// request. It loads the token through the blueprint's getter (refreshing it
// when it is about to expire), signs each request, resolves relative paths
// against APIBaseURL, and refuses to send the token anywhere but the API's
// origin (and AllowedHosts), redirects included.
type Client struct {
	b  *Blueprint
	c  *gin.Context // nil for a Client of ClientFor
	st *requestState
	// keyed is ClientFor's user, nil for a request's Client. What only
	// some Clients need is kept behind pointers: a request's Client lives
	// in its per-request memo, allocated for every request.
	keyed *keyedUser

	// cur, when set, is the token calls use: after a refresh the API's
	// 401 asked for, or, for ClientFor, the token loaded last. mu
	// serialises what replaces it.
	cur atomic.Pointer[replacement]
	mu  sync.Mutex

	hc atomic.Pointer[http.Client] // HTTPClient's, made at its first call
}

// keyedUser is whose token a Client of ClientFor uses, and the context
// its calls run in.
type keyedUser struct {
	ctx context.Context
	key string
	us  UserStorage
}

// replacement is a token that replaced the one a Client loaded first (Client.cur).
type replacement struct {
	sc        signCtx // the token, with the Client's context
	refreshed bool    // a refresh by this Client gave it
	err       error   // the token is gone: calls fail with err
}

// Client returns the API client for the request's user. It is created once
// per request; calling it again returns the same client.
func (b *Blueprint) Client(c *gin.Context) *Client {
	st := b.state(c)
	if st.client.b == nil {
		st.client.b, st.client.c, st.client.st = b, c, st
	}
	return &st.client
}

// Do sends req with the user's token. A relative req.URL resolves against
// APIBaseURL. It fails with ErrNotAuthorized when there is no usable token
// and with ErrForeignHost when the URL is not the API's origin; in both cases
// nothing is sent. req is not modified.
func (cl *Client) Do(req *http.Request) (*http.Response, error) {
	u, err := cl.b.resolve(req.URL)
	if err != nil {
		return nil, err
	}
	tok, err := cl.token()
	if err != nil {
		return nil, err
	}
	r := req.Clone(cl.signing(req.Context(), tok))
	r.URL, r.Host = u, ""
	resp, err := cl.b.set.api.Do(r)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		return cl.after401(r, resp, tok, cl.resend)
	}
	return resp, err
}

// Get sends a GET for path (relative to APIBaseURL, or an absolute URL on
// the API's origin) in the request's context.
func (cl *Client) Get(path string) (*http.Response, error) {
	return cl.newRequest(http.MethodGet, path, "", nil)
}

// Post sends a POST of body with the given content type.
func (cl *Client) Post(path, contentType string, body io.Reader) (*http.Response, error) {
	return cl.newRequest(http.MethodPost, path, contentType, body)
}

// GetJSON GETs path and decodes the JSON answer into v. A non-2xx answer is
// an *APIError with the status and the first 512 bytes of the body.
func (cl *Client) GetJSON(path string, v any) error {
	resp, err := cl.newRequestAccept(http.MethodGet, path, "", nil, "application/json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, apiErrorExcerpt))
		u := *resp.Request.URL
		u.RawQuery, u.Fragment = "", ""
		return &APIError{StatusCode: resp.StatusCode, Status: resp.Status, URL: u.String(), Body: excerpt(string(b), apiErrorExcerpt)}
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJSONBody)).Decode(v); err != nil {
		return fmt.Errorf("gindance: decoding %s answer: %w", resp.Request.URL.Path, err)
	}
	return nil
}

func (cl *Client) newRequest(method, path, contentType string, body io.Reader) (*http.Response, error) {
	return cl.newRequestAccept(method, path, contentType, body, "")
}

func (cl *Client) newRequestAccept(method, path, contentType string, body io.Reader, accept string) (*http.Response, error) {
	target, err := cl.b.resolvePath(path)
	if err != nil {
		return nil, err
	}
	tok, err := cl.token()
	if err != nil {
		return nil, err
	}
	// The URL was parsed when it was resolved: the request is made with an
	// empty one (which NewRequest parses for free) and given a copy.
	req, err := http.NewRequestWithContext(cl.signing(cl.context(), tok), method, "", body)
	if err != nil {
		return nil, err
	}
	*req.URL, req.Host = *target.url, target.host
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := cl.b.set.api.Do(req)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		return cl.after401(req, resp, tok, cl.resend)
	}
	return resp, err
}

// context is the context the Client's own calls (Get, Post, GetJSON) run
// in: the request's, or ClientFor's.
func (cl *Client) context() context.Context {
	if cl.c == nil {
		return cl.keyed.ctx
	}
	return cl.c.Request.Context()
}

// maxResolved bounds the blueprint's memo of resolved paths: apps call a
// handful of API paths, but paths that embed IDs must not grow it forever.
const maxResolved = 512

// resolvedPaths remembers what paths given to Get, Post and GetJSON resolve
// to, once checked against the host guard, so that the usual constant paths
// are parsed and resolved once rather than on every request.
type resolvedPaths struct {
	m sync.Map // path -> *resolvedPath
	n atomic.Int32
}

// resolvedPath is a checked absolute URL and the Host net/http gives a
// request for it. Both are read-only.
type resolvedPath struct {
	url  *url.URL
	host string
}

// resolvePath returns the absolute URL for path, checked against the host
// guard.
func (b *Blueprint) resolvePath(path string) (*resolvedPath, error) {
	if v, ok := b.resolved.m.Load(path); ok {
		return v.(*resolvedPath), nil
	}
	ref, err := url.Parse(path)
	if err != nil {
		return nil, err
	}
	u, err := b.resolve(ref)
	if err != nil {
		return nil, err
	}
	// The URL as NewRequest would have it from the absolute URL string,
	// which is what requests were made from before this memo.
	r, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	target := &resolvedPath{url: r.URL, host: r.Host}
	if b.resolved.n.Load() < maxResolved {
		if _, loaded := b.resolved.m.LoadOrStore(path, target); !loaded {
			b.resolved.n.Add(1)
		}
	}
	return target, nil
}

// resolve makes ref absolute against APIBaseURL and checks its origin.
func (b *Blueprint) resolve(ref *url.URL) (*url.URL, error) {
	s := &b.set
	u := ref
	if !ref.IsAbs() {
		if s.apiBase == nil {
			return nil, fmt.Errorf("%w: relative URL %q but no APIBaseURL", ErrConfig, ref.String())
		}
		u = s.apiBase.ResolveReference(ref)
	}
	if err := s.origins.check(u); err != nil {
		return nil, err
	}
	return u, nil
}

// token is the user's usable token, or ErrNotAuthorized: nothing is sent
// without one.
func (cl *Client) token() (*Token, error) {
	if cur := cl.cur.Load(); cur != nil {
		if cur.err != nil {
			return nil, cur.err
		}
		if cl.c != nil || !cur.sc.tok.Expired(cl.b.set.now(), cl.b.set.leeway) {
			return cur.sc.tok, nil
		}
	}
	if cl.c == nil {
		return cl.loadFor()
	}
	tok, err := cl.b.token(cl.c, cl.st)
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, ErrNotAuthorized
	}
	return tok, nil
}

// signKey is the context key under which a request carries its token to the
// API client's signingTransport.
type signKey struct{}

func withSigning(ctx context.Context, tok *Token) context.Context {
	return context.WithValue(ctx, signKey{}, tok)
}

// signCtx is a context carrying a token to signingTransport, kept in the
// per-request memo: Token fills it once with the request's context and
// token, and the Client's calls in that context with that token use it
// instead of allocating a context.WithValue on each call. After Token it is
// only read, so concurrent calls of one request's Client stay race-free.
type signCtx struct {
	context.Context // nil until init
	tok             *Token

	// auth is the Authorization header value for tok, made at the first
	// call that needs it, for protocols whose header does not change
	// between calls (OAuth 2.0): the calls of a request then share one
	// value slice instead of allocating one in Header.Set each.
	authOnce sync.Once
	auth     [1]string

	dpop dpopMemo // tok's DPoP key, for the request's calls
}

// init makes sc carry tok in ctx. A context of a type that is not
// comparable is left out (signing compares contexts).
func (sc *signCtx) init(ctx context.Context, tok *Token) {
	*sc = signCtx{}
	if t := reflect.TypeOf(ctx); tok == nil || t == nil || !t.Comparable() {
		return
	}
	sc.Context, sc.tok = ctx, tok
}

// dpopSigner is a protocol that signs DPoP-bound tokens' requests with a
// proof of their own.
type dpopSigner interface {
	dpopRoundTrip(base http.RoundTripper, req *http.Request, tok *Token, memo *dpopMemo) (*http.Response, error)
}

// staticSigner is a protocol whose Authorization header is a function of
// the token alone.
type staticSigner interface {
	authorization(tok *Token) string
}

// authorization returns the header value slice for the token, shared by
// the request's calls; its capacity is 1 so that an append never writes
// into it.
func (sc *signCtx) authorization(p staticSigner) []string {
	sc.authOnce.Do(func() { sc.auth[0] = p.authorization(sc.tok) })
	return sc.auth[:1:1]
}

func (sc *signCtx) Value(key any) any {
	if key == (signKey{}) {
		return sc
	}
	return sc.Context.Value(key)
}

// signing returns ctx carrying tok: the memo's context when it is the same
// context and token, else a new one.
func (cl *Client) signing(ctx context.Context, tok *Token) context.Context {
	if sc := &cl.st.sign; sc.Context != nil && sc.tok == tok && sc.Context == ctx {
		return sc
	}
	if cur := cl.cur.Load(); cur != nil && cur.sc.Context != nil && cur.sc.tok == tok && cur.sc.Context == ctx {
		return &cur.sc
	}
	return withSigning(ctx, tok)
}

// signingTransport signs API requests as they are sent rather than before
// http.Client.Do: a header set before Do makes the client clone the whole
// header map for redirects on every call, which was the largest cost of an
// API call. Requests made by the Client carry their token in the context;
// the transport signs the first request, and a redirect when net/http
// would have copied an Authorization header to it (the same host or a
// subdomain of it); the CheckRedirect guard has already refused origins the
// token may not go to.
type signingTransport struct {
	base  http.RoundTripper
	proto protocol
}

func (t *signingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var tok *Token
	var sc *signCtx
	switch v := req.Context().Value(signKey{}).(type) {
	case *Token:
		tok = v
	case *signCtx:
		tok, sc = v.tok, v
	}
	if tok == nil || t.proto == nil {
		return t.base.RoundTrip(req)
	}
	if req.Response != nil { // a redirect http.Client follows
		first := req
		for first.Response != nil && first.Response.Request != nil {
			first = first.Response.Request
		}
		if !sameDomainOrSub(req.URL.Hostname(), first.URL.Hostname()) {
			return t.base.RoundTrip(req)
		}
	}
	// The request is the Client's own (made or cloned by it, or by
	// http.Client for a redirect), so setting its header is safe.
	if ds, ok := t.proto.(dpopSigner); ok && tok.isDPoP() {
		var memo *dpopMemo
		if sc != nil {
			memo = &sc.dpop
		}
		return ds.dpopRoundTrip(t.base, req, tok, memo) // a fresh proof per request
	}
	if ss, ok := t.proto.(staticSigner); ok && sc != nil {
		req.Header["Authorization"] = sc.authorization(ss)
		return t.base.RoundTrip(req)
	}
	if err := t.proto.sign(req, tok); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return t.base.RoundTrip(req)
}
