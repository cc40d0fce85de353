package oidc_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/internal/testenv"
	"github.com/gindance/gindance/providers/oidc"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
	"github.com/gindance/gindance/storage/redisstore"
	"github.com/gindance/gindance/storage/sqlstore"
)

// startBCLApp starts an app instance with an OpenID Connect blueprint on
// p keeping tokens in st (nil: the session): "/" reports the login, POST
// /backchannel-logout is the back-channel logout endpoint. Instances share
// the cookie keys, as replicas do.
func startBCLApp(t *testing.T, p *gintest.OIDCProvider, st blueprint.Storage) string {
	t.Helper()
	b := oidc.New("idp", oidc.Config{Issuer: p.Issuer(), ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		Options: blueprint.Options{LoginCookieKey: p.LoginCookieKey()}})
	if st != nil {
		b.SetStorage(st)
	}
	r := gin.New()
	r.Use(sessions.Sessions("s", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210"))))
	b.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "authorized=%v", b.Authorized(c)) })
	r.POST("/backchannel-logout", b.BackChannelLogoutHandler())
	app := httptest.NewServer(r)
	t.Cleanup(app.Close)
	return app.URL
}

func page(t *testing.T, br *gintest.Browser, u string) string {
	t.Helper()
	p, err := br.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return p.Body
}

func lastSID(t *testing.T, p *gintest.OIDCProvider) string {
	t.Helper()
	sids := p.SessionIDs()
	if len(sids) == 0 {
		t.Fatal("no session at the provider")
	}
	return sids[len(sids)-1]
}

// Back-Channel Logout 1.0 §2.5-§2.7: a valid logout token for the
// session's sid, posted to the handler, forgets the user's token, so the
// next request is logged out; another user's session stays.
func TestBackChannelLogoutForgetsTheSession_BCL_2_7(t *testing.T) {
	p := gintest.StartOIDCProvider(gintest.OIDCOptions{})
	t.Cleanup(p.Close)
	app := startBCLApp(t, p, memory.New(storage.Config{Anonymous: true}))
	alice, other := gintest.NewBrowser(), gintest.NewBrowser()
	if got := page(t, alice, app+"/login/idp"); got != "authorized=true" {
		t.Fatalf("login: %q", got)
	}
	sid := lastSID(t, p)
	if got := page(t, other, app+"/login/idp"); got != "authorized=true" {
		t.Fatalf("second login: %q", got)
	}
	st, err := p.BackChannelLogout(context.Background(), app+"/backchannel-logout", p.LogoutToken(sid, nil))
	if err != nil || st != http.StatusOK {
		t.Fatalf("logout: %v %d", err, st)
	}
	if got := page(t, alice, app+"/"); got != "authorized=false" {
		t.Fatalf("after back-channel logout: %q", got)
	}
	if got := page(t, other, app+"/"); got != "authorized=true" {
		t.Fatalf("another session was logged out: %q", got)
	}
	// Without sid, every session of the subject ends (§2.4).
	st, _ = p.BackChannelLogout(context.Background(), app+"/backchannel-logout", p.LogoutToken("", nil))
	if got := page(t, other, app+"/"); st != http.StatusOK || got != "authorized=false" {
		t.Fatalf("logout by sub: %d %q", st, got)
	}
}

// Back-Channel Logout 1.0 §2.6: every logout token that fails a check is
// answered 400 and logs nobody out: a bad signature, another iss or aud,
// no events member or a non-object one, a nonce (§2.4: prohibited, so an
// id_token cannot pass as a logout token), neither sub nor sid, iat in the
// future or long past, exp passed or missing, no jti, a replayed jti, and
// an id_token.
func TestBackChannelLogoutRefusesInvalidTokens_BCL_2_6(t *testing.T) {
	p := gintest.StartOIDCProvider(gintest.OIDCOptions{})
	t.Cleanup(p.Close)
	app := startBCLApp(t, p, memory.New(storage.Config{Anonymous: true}))
	br := gintest.NewBrowser()
	if got := page(t, br, app+"/login/idp"); got != "authorized=true" {
		t.Fatalf("login: %q", got)
	}
	sid := lastSID(t, p)
	set := func(k string, v any) func(map[string]any) { return func(c map[string]any) { c[k] = v } }
	now := time.Now()
	tamper := func(tok string) string {
		i := strings.LastIndexByte(tok, '.') + 3
		b := []byte(tok)
		b[i] ^= 1
		return string(b)
	}
	replayed := p.LogoutToken("other-sid", nil)
	if st, _ := p.BackChannelLogout(context.Background(), app+"/backchannel-logout", replayed); st != http.StatusOK {
		t.Fatalf("first use: %d", st)
	}
	cases := map[string]string{
		"bad signature":       tamper(p.LogoutToken(sid, nil)),
		"iss":                 p.LogoutToken(sid, set("iss", "https://evil.example")),
		"aud":                 p.LogoutToken(sid, set("aud", "another-client")),
		"no events":           p.LogoutToken(sid, set("events", nil)),
		"events not object":   p.LogoutToken(sid, set("events", map[string]any{gintest.BackChannelLogoutEvent: "yes"})),
		"other event":         p.LogoutToken(sid, set("events", map[string]any{"urn:other": map[string]any{}})),
		"nonce":               p.LogoutToken(sid, set("nonce", "n")),
		"neither sub nor sid": p.LogoutToken("", set("sub", nil)),
		"iat future":          p.LogoutToken(sid, set("iat", now.Add(time.Hour).Unix())),
		"iat old":             p.LogoutToken(sid, set("iat", now.Add(-time.Hour).Unix())),
		"no iat":              p.LogoutToken(sid, set("iat", nil)),
		"exp passed":          p.LogoutToken(sid, set("exp", now.Add(-time.Minute).Unix())),
		"no exp":              p.LogoutToken(sid, set("exp", nil)),
		"no jti":              p.LogoutToken(sid, set("jti", nil)),
		"replayed jti":        replayed,
		"an id_token":         p.IDToken("n"),
	}
	for name, tok := range cases {
		st, err := p.BackChannelLogout(context.Background(), app+"/backchannel-logout", tok)
		if err != nil || st != http.StatusBadRequest {
			t.Errorf("%s: %v %d, want 400", name, err, st)
		}
	}
	if got := page(t, br, app+"/"); got != "authorized=true" {
		t.Fatalf("an invalid logout token logged the user out: %q", got)
	}
}

// With tokens in the browser's session (the default) the back channel
// cannot reach them: the logout failed, which Back-Channel Logout 1.0 §2.8
// answers with 400 and an error JSON (server_error), and nobody is logged
// out.
func TestBackChannelLogoutWithSessionStorage_BCL_2_8(t *testing.T) {
	p := gintest.StartOIDCProvider(gintest.OIDCOptions{})
	t.Cleanup(p.Close)
	app := startBCLApp(t, p, nil)
	br := gintest.NewBrowser()
	page(t, br, app+"/login/idp")
	st, code := postLogoutToken(t, app+"/backchannel-logout", p.LogoutToken(lastSID(t, p), nil))
	if st != http.StatusBadRequest || code != "server_error" || page(t, br, app+"/") != "authorized=true" {
		t.Fatalf("status %d, error %q", st, code)
	}
}

// postLogoutToken POSTs a logout token as an OP does (§2.5) and returns
// the status and the error member of the answer.
func postLogoutToken(t *testing.T, uri, tok string) (int, string) {
	t.Helper()
	resp, err := http.PostForm(uri, url.Values{"logout_token": {tok}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Error
}

// A back-channel logout received by one app instance logs the user out on
// another instance sharing PostgreSQL or Redis (Back-Channel Logout 1.0
// §2.7: the RP logs out the session wherever it is kept).
func TestBackChannelLogoutAcrossInstances(t *testing.T) {
	stores := map[string]func(t *testing.T) (blueprint.Storage, blueprint.Storage){
		"PostgreSQL": func(t *testing.T) (blueprint.Storage, blueprint.Storage) {
			dsn := testenv.Service(t, "GINDANCE_POSTGRES_DSN", "PostgreSQL")
			table := "gdt_bcl_" + strings.ReplaceAll(newID(), "-", "_")
			mk := func() *sqlstore.Store {
				db, err := sqlOpen(dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				s, err := sqlstore.New(db, sqlstore.Config{Config: storage.Config{Anonymous: true, SessionName: "s"}, Table: table})
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Migrate(context.Background()); err != nil {
					testenv.Unavailable(t, "PostgreSQL", err)
				}
				return s
			}
			a, b := mk(), mk()
			t.Cleanup(func() { _, _ = a.DB().Exec("DROP TABLE IF EXISTS " + table) })
			return a, b
		},
		"Redis": func(t *testing.T) (blueprint.Storage, blueprint.Storage) {
			addr := testenv.Service(t, "GINDANCE_REDIS_ADDR", "Redis")
			prefix := "gdt-bcl-" + newID() + ":"
			mk := func() *redisstore.Store {
				c := redis.NewClient(&redis.Options{Addr: addr})
				t.Cleanup(func() { c.Close() })
				if err := c.Ping(context.Background()).Err(); err != nil {
					testenv.Unavailable(t, "Redis", err)
				}
				return redisstore.New(c, redisstore.Config{Config: storage.Config{Anonymous: true, SessionName: "s"}, Prefix: prefix})
			}
			return mk(), mk()
		},
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			p := gintest.StartOIDCProvider(gintest.OIDCOptions{})
			t.Cleanup(p.Close)
			sa, sb := mk(t)
			a, b := startBCLApp(t, p, sa), startBCLApp(t, p, sb)
			br := gintest.NewBrowser()
			if got := page(t, br, a+"/login/idp"); got != "authorized=true" {
				t.Fatalf("login on instance A: %q", got)
			}
			// Instance B sees the same login: the cookie (per host, not
			// port) with the same keys, and the same store.
			if got := page(t, br, b+"/"); got != "authorized=true" {
				t.Fatalf("instance B before the logout: %q", got)
			}
			st, err := p.BackChannelLogout(context.Background(), b+"/backchannel-logout", p.LogoutToken(lastSID(t, p), nil))
			if err != nil || st != http.StatusOK {
				t.Fatalf("logout at instance B: %v %d", err, st)
			}
			for inst, u := range map[string]string{"A": a, "B": b} {
				if got := page(t, br, u+"/"); got != "authorized=false" {
					t.Fatalf("instance %s after the logout at B: %q", inst, got)
				}
			}
		})
	}
}

func newID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func sqlOpen(dsn string) (*sql.DB, error) { return sql.Open("pgx", dsn) }

// flakyForgetter is a token store whose ForgetSession fails while down is
// set, as a database that is briefly unreachable.
type flakyForgetter struct {
	*storage.Store
	down bool
}

func (f *flakyForgetter) ForgetSession(ctx context.Context, name, issuer, sid, sub string) (int, error) {
	if f.down {
		return 0, storage.Unavailable("forget session", context.DeadlineExceeded)
	}
	return f.Store.ForgetSession(ctx, name, issuer, sid, sub)
}

// Back-Channel Logout 1.0 §2.8: when the store fails the logout failed,
// answered with 400 and error temporarily_unavailable; the OP may send the
// same logout token again, and that retry must not be refused as a
// replayed jti, or the user stays logged in.
func TestBackChannelLogoutRetryAfterStoreFailure_BCL_2_8(t *testing.T) {
	p := gintest.StartOIDCProvider(gintest.OIDCOptions{})
	t.Cleanup(p.Close)
	st := &flakyForgetter{Store: memory.New(storage.Config{Anonymous: true}), down: true}
	app := startBCLApp(t, p, st)
	br := gintest.NewBrowser()
	if got := page(t, br, app+"/login/idp"); got != "authorized=true" {
		t.Fatalf("login: %q", got)
	}
	tok := p.LogoutToken(lastSID(t, p), nil)
	if st, code := postLogoutToken(t, app+"/backchannel-logout", tok); st != http.StatusBadRequest || code != "temporarily_unavailable" {
		t.Fatalf("store down: %d %q, want 400 temporarily_unavailable", st, code)
	}
	st.down = false
	if code, err := p.BackChannelLogout(context.Background(), app+"/backchannel-logout", tok); err != nil || code != http.StatusOK {
		t.Fatalf("retry of the same logout token: %v %d, want 200", err, code)
	}
	if got := page(t, br, app+"/"); got != "authorized=false" {
		t.Fatalf("after the retried logout: %q", got)
	}
}
