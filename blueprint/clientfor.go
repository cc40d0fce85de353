package blueprint

import (
	"context"
	"fmt"

	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"
)

// ErrDPoPTokenSource means a DPoP-bound token was asked of a TokenSource:
// such a token is useless without a proof signed for each request, which
// a library given a TokenSource does not make. Use the Client or its
// HTTPClient, which sign every call.
var ErrDPoPTokenSource = fmt.Errorf("%w: a DPoP-bound token cannot be handed out through an oauth2.TokenSource; use Client or Client.HTTPClient, which sign each call", ErrNotAuthorized)

// ClientFor returns an API client for the user whose token the blueprint's
// Storage keeps under userKey, outside any request: for background jobs,
// queues and admin tasks. The Storage must keep tokens server-side by user
// key (a UserStorage: storage/sqlstore, storage/redisstore, storage/memory),
// else the error wraps ErrNoUserStorage; a user without a stored token
// fails with ErrNotAuthorized. The client's calls (Get, Post, GetJSON and
// their context) run in ctx; Do and HTTPClient use each request's own.
// Its token is refreshed on the same path as a request's, so that a job
// and the user's requests, on any instance sharing the store, make one
// refresh between them: one provider call per process (shared with
// requests), the store's refresh lock across instances, the token re-read
// under the lock, the new token stored before the lock is released;
// back-off after 429 or 503, invalid_grant forgetting the token, DPoP,
// client assertions, provider quirks and the host guard apply as for
// requests. The client keeps the token it loaded until it is about to
// expire (RefreshLeeway) or the API refuses it, then loads or refreshes
// it again; it is safe for concurrent use. Make one per job run.
func (b *Blueprint) ClientFor(ctx context.Context, userKey string) (*Client, error) {
	cl, err := b.clientFor(ctx, userKey)
	if err != nil {
		return nil, err
	}
	if _, err := cl.token(); err != nil {
		return nil, err
	}
	return cl, nil
}

// clientFor is ClientFor without loading the token.
func (b *Blueprint) clientFor(ctx context.Context, userKey string) (*Client, error) {
	us, err := b.userStorage()
	if err != nil {
		return nil, err
	}
	if userKey == "" {
		return nil, fmt.Errorf("%w: empty user key", ErrNotAuthorized)
	}
	return &Client{b: b, st: &requestState{}, keyed: &keyedUser{ctx: ctx, key: userKey, us: us}}, nil
}

// loadFor loads a ClientFor client's token from the store, refreshing it
// when it is about to expire.
func (cl *Client) loadFor() (*Token, error) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	b := cl.b
	if cur := cl.cur.Load(); cur != nil && !cur.sc.tok.Expired(b.set.now(), b.set.leeway) {
		return cur.sc.tok, nil // another call loaded it meanwhile
	}
	k := cl.keyed
	tok, err := k.us.GetFor(k.ctx, b.name, k.key)
	switch {
	case err != nil:
		return nil, err
	case tok == nil:
		return nil, fmt.Errorf("%w: no %s token is stored for this user key", ErrNotAuthorized, b.name)
	}
	refreshed := false
	if tok.Expired(b.set.now(), b.set.leeway) {
		if tok, refreshed, err = b.replaceToken(cl.owner(), tok); err != nil {
			return nil, err
		}
	}
	cl.setCurrent(tok, refreshed)
	return tok, nil
}

// TokenSource returns the request user's token as an oauth2.TokenSource,
// for libraries that take one: each Token call gives the token the
// request's Client uses, refreshed on the same single path when it is
// about to expire. It gives the access token, its type and expiry, never
// the refresh token, so the library cannot refresh behind the blueprint's
// back (which with rotating refresh tokens would log the user out). The
// host guard cannot follow a token handed out this way: prefer
// Client.HTTPClient where the library takes an *http.Client. A user
// without a usable token gets an error wrapping ErrNotAuthorized; a
// DPoP-bound token, ErrDPoPTokenSource.
func (b *Blueprint) TokenSource(c *gin.Context) oauth2.TokenSource {
	return tokenSource{cl: b.Client(c)}
}

// TokenSourceFor is TokenSource for the user whose token the Storage keeps
// under userKey, outside any request (see ClientFor). Errors, an
// ErrNoUserStorage one included, come from its Token method.
func (b *Blueprint) TokenSourceFor(ctx context.Context, userKey string) oauth2.TokenSource {
	cl, err := b.clientFor(ctx, userKey)
	return tokenSource{cl: cl, err: err}
}

type tokenSource struct {
	cl  *Client
	err error
}

func (s tokenSource) Token() (*oauth2.Token, error) {
	if s.err != nil {
		return nil, s.err
	}
	tok, err := s.cl.token()
	if err != nil {
		return nil, err
	}
	if tok.isDPoP() {
		return nil, ErrDPoPTokenSource
	}
	return &oauth2.Token{AccessToken: tok.AccessToken, TokenType: tok.authorizationType(), Expiry: tok.Expiry}, nil
}
