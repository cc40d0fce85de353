package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// Quickstart is the running app and fake provider.
type Quickstart struct {
	AppURL, ProviderURL string
	servers             []*http.Server
}

// Close stops both servers.
func (q *Quickstart) Close() {
	for _, s := range q.servers {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = s.Shutdown(ctx)
		cancel()
	}
}

// start listens on both addresses and serves the provider and the app.
func start(ctx context.Context, appAddr, idpAddr string) (*Quickstart, error) {
	idpLn, err := listen(idpAddr)
	if err != nil {
		return nil, fmt.Errorf("fake provider: %w", err)
	}
	appLn, err := listen(appAddr)
	if err != nil {
		idpLn.Close()
		return nil, fmt.Errorf("app: %w", err)
	}
	q := &Quickstart{
		ProviderURL: "http://" + idpLn.Addr().String(),
		AppURL:      "http://" + hostPort(appAddr, appLn),
	}
	// The provider shows its sign-in form (no auto-approved User).
	idp := gintest.NewProvider(gintest.Options{})
	idp.SetBaseURL(q.ProviderURL)
	app, err := newApp(ctx, idp)
	if err != nil {
		idpLn.Close()
		appLn.Close()
		return nil, err
	}
	q.serve(idpLn, idp)
	q.serve(appLn, app)
	return q, nil
}

func (q *Quickstart) serve(ln net.Listener, h http.Handler) {
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	q.servers = append(q.servers, s)
	go func() {
		if err := s.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, err)
		}
	}()
}

// listen binds addr, falling back to a free port when the default is taken.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	host, _, _ := net.SplitHostPort(addr)
	if ln, err2 := net.Listen("tcp", net.JoinHostPort(host, "0")); err2 == nil {
		return ln, nil
	}
	return nil, err
}

// hostPort keeps the host name the user gave (localhost) with the port
// actually bound.
func hostPort(addr string, ln net.Listener) string {
	host, _, _ := net.SplitHostPort(addr)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	if host == "" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// newApp is the Gin app: sessions, one blueprint for the fake provider
// (and one per real provider whose credentials are set), and its pages.
// A configuration mistake is returned here, at startup.
func newApp(ctx context.Context, idp *gintest.Provider) (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())

	// Session cookie: signed (hash key) and encrypted (block key). The keys
	// are random per run here, so a restart logs everyone out; a real app
	// loads 32-byte keys from its secrets (examples/github decodes them
	// from hex). HttpOnly keeps the cookie from scripts; SameSite=Lax lets
	// the provider's redirect back carry it; set Secure: true behind HTTPS
	// (this demo runs on plain http).
	store := cookie.NewStore(randomKey(), randomKey())
	store.Options(sessions.Options{Path: "/", MaxAge: 86400, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	r.Use(sessions.Sessions("quickstart", store))

	local := blueprint.NewOAuth2("local", blueprint.OAuth2Config{
		ClientID:      gintest.DefaultClientID,
		ClientSecret:  gintest.DefaultClientSecret,
		AuthURL:       idp.AuthURL(),
		TokenURL:      idp.TokenURL(),
		RevocationURL: idp.RevokeURL(),
		APIBaseURL:    idp.APIBaseURL(),
		Scopes:        []string{"profile"},
		// Each started login waits in a sealed cookie of its own rather
		// than in the session: logins from several tabs at once cannot
		// overwrite each other, and the session is not touched until the
		// token is stored. By default the cookie key is derived from the
		// client secret, but this demo's is public
		// (gintest.DefaultClientSecret), so it pins a key of its own,
		// random per run like the session keys.
		Options: blueprint.Options{LoginCookieKey: randomKey()},
	})
	local.IdentityGetter(gintest.Identity)
	if err := local.Validate(); err != nil {
		return nil, err
	}
	local.Mount(r.Group("/login"))

	real, err := realProviders(ctx, r.Group("/login"))
	if err != nil {
		return nil, err
	}

	// home renders the page for c, with the API call's answer when there
	// is one.
	home := func(c *gin.Context, api *apiCall) {
		data := page{Provider: idp.URL(), API: api}
		for _, rp := range real {
			rp.Login = rp.b.LoginURL()
			if rp.b.Authorized(c) {
				if id, err := rp.b.Identity(c); err == nil {
					rp.User = id.Username
				}
			}
			data.Real = append(data.Real, rp)
		}
		if tok, err := local.Token(c); err != nil {
			data.Error = err.Error()
		} else if tok != nil {
			data.Token = describe(tok, time.Now())
			if id, err := local.Identity(c); err != nil {
				data.Error = err.Error()
			} else {
				data.Identity = id
			}
		}
		if data.Identity == nil {
			sess := sessions.Default(c)
			if flashes := sess.Flashes(); len(flashes) > 0 {
				data.LoggedOut = slices.Contains(flashes, any(loggedOutFlash))
				_ = sess.Save()
			}
		}
		render(c, data)
	}
	r.GET("/", func(c *gin.Context) { home(c, nil) })
	// An API call through the blueprint's Client: the token is added, and
	// only ever sent to the provider's API.
	r.GET("/api-call", local.Require(), func(c *gin.Context) {
		call := &apiCall{Path: idp.APIBaseURL() + "me"}
		var me map[string]any
		if err := local.Client(c).GetJSON("me", &me); err != nil {
			call.Error = err.Error()
		} else {
			call.Fields = fields(me)
		}
		home(c, call)
	})
	// Logout is a POST: with SameSite=Lax cookies another site cannot log
	// the user out.
	r.POST("/logout", func(c *gin.Context) {
		wasIn := local.Authorized(c)
		if err := local.Logout(c); err != nil && !errors.Is(err, blueprint.ErrRevoke) {
			c.String(http.StatusInternalServerError, "logout failed")
			return
		}
		// A flash in the session: the next page says "You are logged
		// out" once, and a reload does not say it again. Only for a
		// user who was logged in: saving the session of a request that
		// came without it (a cross-site POST, which SameSite=Lax keeps
		// the cookie off) would replace the user's real session.
		if wasIn {
			sess := sessions.Default(c)
			sess.AddFlash(loggedOutFlash)
			_ = sess.Save()
		}
		c.Redirect(http.StatusSeeOther, "/")
	})
	return r, nil
}

// realProviders mounts every preset whose credentials are in the
// environment on g (register <app URL>/login/<name>/authorized as the
// callback URL there), after checking its configuration.
func realProviders(ctx context.Context, g *gin.RouterGroup) ([]realProvider, error) {
	var real []realProvider
	for _, p := range presets() {
		if !p.configured() {
			continue
		}
		b, err := p.build(ctx)
		if err != nil {
			return nil, err
		}
		b.Mount(g)
		real = append(real, realProvider{Title: p.title, b: b})
	}
	return real, nil
}

func randomKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}
