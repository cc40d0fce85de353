package gintest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gindance/gindance/blueprint"
)

// DefaultConsumerKey and DefaultConsumerSecret are the OAuth 1.0a client
// credentials an OAuth1Provider accepts when OAuth1Options leaves them
// empty.
const (
	DefaultConsumerKey    = "gintest-consumer"
	DefaultConsumerSecret = "gintest-consumer-secret"
)

// OAuth1Options configure an OAuth1Provider.
type OAuth1Options struct {
	// ConsumerKey and ConsumerSecret are the one registered client.
	// Empty: DefaultConsumerKey and DefaultConsumerSecret.
	ConsumerKey, ConsumerSecret string
	// User is who every authorization is approved as. Nil: user "1001",
	// login "ada".
	User *User
	// Now is the provider's clock. Nil: time.Now.
	Now func() time.Time
}

// OAuth1Failure makes an OAuth1Provider misbehave. The zero value injects
// nothing.
type OAuth1Failure struct {
	// Deny makes the authorize page redirect back with denied=<request
	// token>, as Twitter does when the user cancels.
	Deny bool
	// DenyWithError makes the authorize page redirect back with
	// error=access_denied and no oauth_token, as Authlib's server does
	// when the user declines (RFC 5849 defines no denial).
	DenyWithError bool
	// NoCallbackConfirmed makes request_token answers omit
	// oauth_callback_confirmed (RFC 5849 §2.1 requires it).
	NoCallbackConfirmed bool
	// CallbackConfirmed, when set, is the value of oauth_callback_confirmed
	// instead of "true": "True" is what Authlib's OAuth 1.0a server sends.
	CallbackConfirmed string
	// WrongToken makes the authorize page redirect back with an
	// oauth_token other than the request token it was given.
	WrongToken bool
}

// OAuth1Provider is a fake OAuth 1.0a provider (RFC 5849) laid out like
// Twitter's:
//
//	POST /oauth/request_token                  temporary credentials (§2.1)
//	GET  /oauth/authorize, /oauth/authenticate resource owner authorization (§2.2), approved at once
//	POST /oauth/access_token                   token credentials (§2.3)
//	GET  /1.1/account/verify_credentials.json  the user, for signed requests
//	POST /1.1/statuses/update.json             echoes the form's status, for signed form bodies
//
// It verifies the HMAC-SHA1 signature of every request with its own
// implementation of RFC 5849 §3.4 (tested against the RFC's examples),
// checks timestamps and refuses a replayed nonce (§3.3), and answers 401
// to any request that fails; Rejected counts them. Request tokens and
// verifiers are single use.
type OAuth1Provider struct {
	server
	opts     OAuth1Options
	mux      *http.ServeMux
	failure  atomic.Pointer[OAuth1Failure]
	rejected atomic.Int64

	mu       sync.Mutex
	nonces   map[string]bool
	requests map[string]*oauth1Temp // by request token
	access   map[string]string      // access token -> secret
}

type oauth1Temp struct {
	secret, callback, verifier string
	authorized                 bool
}

// NewOAuth1Provider returns an OAuth1Provider not listening anywhere; see
// NewProvider.
func NewOAuth1Provider(opts OAuth1Options) *OAuth1Provider {
	if opts.ConsumerKey == "" {
		opts.ConsumerKey, opts.ConsumerSecret = DefaultConsumerKey, DefaultConsumerSecret
	}
	if opts.User == nil {
		opts.User = &User{ID: "1001", Login: "ada", Name: "Ada Lovelace", Email: "ada@example.test", EmailVerified: true}
	}
	opts.User = copyUser(opts.User)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p := &OAuth1Provider{opts: opts, nonces: map[string]bool{},
		requests: map[string]*oauth1Temp{}, access: map[string]string{}}
	p.mux = http.NewServeMux()
	p.mux.HandleFunc("POST /oauth/request_token", p.handleRequestToken)
	p.mux.HandleFunc("GET /oauth/authorize", p.handleAuthorize)
	p.mux.HandleFunc("GET /oauth/authenticate", p.handleAuthorize)
	p.mux.HandleFunc("POST /oauth/access_token", p.handleAccessToken)
	p.mux.HandleFunc("GET /1.1/account/verify_credentials.json", p.handleVerifyCredentials)
	p.mux.HandleFunc("POST /1.1/statuses/update.json", p.handleUpdate)
	return p
}

// StartOAuth1Provider returns an OAuth1Provider serving on a new
// httptest.Server on 127.0.0.1. Call Close when done.
func StartOAuth1Provider(opts OAuth1Options) *OAuth1Provider {
	p := NewOAuth1Provider(opts)
	p.start(p)
	return p
}

// ServeHTTP serves the provider's endpoints.
func (p *OAuth1Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.mux.ServeHTTP(w, r) }

// RequestTokenURL returns URL()+"/oauth/request_token".
func (p *OAuth1Provider) RequestTokenURL() string { return p.URL() + "/oauth/request_token" }

// AuthorizeURL returns URL()+"/oauth/authenticate" (Sign in with Twitter's
// endpoint; /oauth/authorize behaves the same here).
func (p *OAuth1Provider) AuthorizeURL() string { return p.URL() + "/oauth/authenticate" }

// AccessTokenURL returns URL()+"/oauth/access_token".
func (p *OAuth1Provider) AccessTokenURL() string { return p.URL() + "/oauth/access_token" }

// APIBaseURL returns URL()+"/1.1/".
func (p *OAuth1Provider) APIBaseURL() string { return p.URL() + "/1.1/" }

// OAuth1Config returns a blueprint configuration pointing at the provider
// with its consumer credentials and the provider's LoginCookieKey.
func (p *OAuth1Provider) OAuth1Config() blueprint.OAuth1Config {
	return blueprint.OAuth1Config{
		ConsumerKey: p.opts.ConsumerKey, ConsumerSecret: p.opts.ConsumerSecret,
		RequestTokenURL: p.RequestTokenURL(), AuthorizeURL: p.AuthorizeURL(),
		AccessTokenURL: p.AccessTokenURL(), APIBaseURL: p.APIBaseURL(),
		Options: blueprint.Options{LoginCookieKey: p.LoginCookieKey()},
	}
}

// Fail replaces the failure knobs; Fail(OAuth1Failure{}) clears them.
func (p *OAuth1Provider) Fail(f OAuth1Failure) { p.failure.Store(&f) }

func (p *OAuth1Provider) knobs() OAuth1Failure {
	if f := p.failure.Load(); f != nil {
		return *f
	}
	return OAuth1Failure{}
}

// Rejected returns how many requests were refused for a missing or bad
// signature, a stale timestamp, a replayed nonce or an unknown token.
func (p *OAuth1Provider) Rejected() int { return int(p.rejected.Load()) }

// AccessTokens returns how many token credentials the provider issued.
func (p *OAuth1Provider) AccessTokens() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.access)
}

// timestampWindow is how far oauth_timestamp may be from the provider's
// clock.
const timestampWindow = 5 * time.Minute

// check parses and verifies a signed request: consumer key, signature with
// tokenSecret(oauth_token), timestamp and nonce. It answers 401 itself and
// returns nil on failure.
func (p *OAuth1Provider) check(w http.ResponseWriter, r *http.Request, tokenSecret func(token string) (string, bool)) *oauth1Request {
	deny := func(problem string) *oauth1Request {
		p.rejected.Add(1)
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte("oauth_problem=" + url.QueryEscape(problem)))
		return nil
	}
	o, err := parseOAuth1(r, p.URL())
	if err != nil {
		return deny("parameter_absent")
	}
	if o.oauth["oauth_consumer_key"] != p.opts.ConsumerKey {
		return deny("consumer_key_unknown")
	}
	secret, ok := tokenSecret(o.oauth["oauth_token"])
	if !ok {
		return deny("token_rejected")
	}
	if !o.verify(p.opts.ConsumerSecret, secret) {
		return deny("signature_invalid")
	}
	ts, err := strconv.ParseInt(o.oauth["oauth_timestamp"], 10, 64)
	if err != nil || p.opts.Now().Sub(time.Unix(ts, 0)).Abs() > timestampWindow {
		return deny("timestamp_refused")
	}
	key := o.oauth["oauth_timestamp"] + "|" + o.oauth["oauth_nonce"] + "|" + o.oauth["oauth_token"]
	p.mu.Lock()
	replay := p.nonces[key] || o.oauth["oauth_nonce"] == ""
	p.nonces[key] = true
	p.mu.Unlock()
	if replay {
		return deny("nonce_used")
	}
	return o
}

func (p *OAuth1Provider) handleRequestToken(w http.ResponseWriter, r *http.Request) {
	o := p.check(w, r, func(tok string) (string, bool) { return "", tok == "" })
	if o == nil {
		return
	}
	cb := o.oauth["oauth_callback"]
	if u, err := url.Parse(cb); cb != "oob" && (err != nil || !u.IsAbs()) {
		p.rejected.Add(1)
		http.Error(w, "oauth_problem=parameter_absent", http.StatusBadRequest)
		return
	}
	tok, secret := newSecret("rt_"), newSecret("rts_")
	p.mu.Lock()
	p.requests[tok] = &oauth1Temp{secret: secret, callback: cb}
	p.mu.Unlock()
	v := url.Values{"oauth_token": {tok}, "oauth_token_secret": {secret}}
	switch f := p.knobs(); {
	case f.NoCallbackConfirmed:
	case f.CallbackConfirmed != "":
		v.Set("oauth_callback_confirmed", f.CallbackConfirmed)
	default:
		v.Set("oauth_callback_confirmed", "true")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8") // as Twitter labels it
	_, _ = w.Write([]byte(v.Encode()))
}

func (p *OAuth1Provider) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("oauth_token")
	p.mu.Lock()
	t := p.requests[tok]
	var cb, verifier string
	if t != nil && !t.authorized {
		t.authorized, t.verifier = true, newSecret("v_")
		cb, verifier = t.callback, t.verifier
	}
	p.mu.Unlock()
	if cb == "" {
		http.Error(w, "unknown or used request token", http.StatusBadRequest)
		return
	}
	u, _ := url.Parse(cb) // checked at request_token
	q := u.Query()
	f := p.knobs()
	switch {
	case f.Deny:
		q.Set("denied", tok)
	case f.DenyWithError:
		q.Set("error", "access_denied")
		q.Set("error_description", "The resource owner or authorization server denied the request.")
	case f.WrongToken:
		q.Set("oauth_token", newSecret("rt_"))
		q.Set("oauth_verifier", verifier)
	default:
		q.Set("oauth_token", tok)
		q.Set("oauth_verifier", verifier)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (p *OAuth1Provider) handleAccessToken(w http.ResponseWriter, r *http.Request) {
	var temp *oauth1Temp
	o := p.check(w, r, func(tok string) (string, bool) {
		p.mu.Lock()
		defer p.mu.Unlock()
		temp = p.requests[tok]
		if temp == nil || !temp.authorized {
			return "", false
		}
		return temp.secret, true
	})
	if o == nil {
		return
	}
	p.mu.Lock()
	_, live := p.requests[o.oauth["oauth_token"]]
	delete(p.requests, o.oauth["oauth_token"]) // single use, whatever the verifier
	p.mu.Unlock()
	if !live || o.oauth["oauth_verifier"] == "" || o.oauth["oauth_verifier"] != temp.verifier {
		p.rejected.Add(1)
		http.Error(w, "oauth_problem=verifier_invalid", http.StatusUnauthorized)
		return
	}
	tok, secret := newSecret("at_"), newSecret("ats_")
	p.mu.Lock()
	p.access[tok] = secret
	p.mu.Unlock()
	v := url.Values{"oauth_token": {tok}, "oauth_token_secret": {secret},
		"user_id": {p.opts.User.ID}, "screen_name": {p.opts.User.Login}}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	_, _ = w.Write([]byte(v.Encode()))
}

func (p *OAuth1Provider) accessSecret(tok string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.access[tok]
	return s, ok
}

func (p *OAuth1Provider) handleUpdate(w http.ResponseWriter, r *http.Request) {
	if p.check(w, r, p.accessSecret) == nil {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"text": r.PostFormValue("status")})
}

func (p *OAuth1Provider) handleVerifyCredentials(w http.ResponseWriter, r *http.Request) {
	if p.check(w, r, p.accessSecret) == nil {
		return
	}
	u := p.opts.User
	body := map[string]any{"id_str": u.ID, "screen_name": u.Login, "name": u.Name,
		"profile_image_url_https": u.AvatarURL}
	if id, err := strconv.ParseInt(u.ID, 10, 64); err == nil {
		body["id"] = id
	}
	if r.URL.Query().Get("include_email") == "true" && u.Email != "" {
		body["email"] = u.Email
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}
