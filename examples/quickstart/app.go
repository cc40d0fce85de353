package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/github"
	"github.com/gindance/gindance/providers/google"
	"github.com/gindance/gindance/providers/twitter"
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
	q.serve(idpLn, idp)
	q.serve(appLn, newApp(idp))
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

// newApp is the Gin app: sessions, one blueprint for the fake provider,
// and three pages.
func newApp(idp *gintest.Provider) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())

	// Session cookie: signed (hash key) and encrypted (block key). The keys
	// are random per run here, so a restart logs everyone out; a real app
	// loads 32-byte keys from its secrets. HttpOnly keeps the cookie from
	// scripts; SameSite=Lax lets the provider's redirect back carry it;
	// set Secure: true behind HTTPS (this demo runs on plain http).
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
		// token is stored. Random per run here, like the session keys; a
		// real app loads 32 bytes from its secrets, the same on every replica.
		Options: blueprint.Options{LoginCookieKey: randomKey()},
	})
	local.IdentityFunc(gintest.Identity)
	local.Mount(r.Group("/login"))

	// Real providers too, each when its credentials are in the environment
	// (register <app URL>/login/<name>/authorized as the callback URL).
	var real []realProvider
	for _, rp := range []struct {
		title, env string
		make       func() *blueprint.Blueprint
	}{
		{"GitHub", "GITHUB", func() *blueprint.Blueprint {
			return github.New(github.Config{Scopes: []string{"read:user", "user:email"}})
		}},
		{"Google", "GOOGLE", func() *blueprint.Blueprint { return google.New(google.Config{}) }},
		{"Twitter", "TWITTER", func() *blueprint.Blueprint { return twitter.New(twitter.Config{}) }},
	} {
		if os.Getenv(rp.env+"_CLIENT_ID") == "" || os.Getenv(rp.env+"_CLIENT_SECRET") == "" {
			continue
		}
		b := rp.make()
		b.Mount(r.Group("/login"))
		real = append(real, realProvider{Title: rp.title, b: b})
	}

	r.GET("/", func(c *gin.Context) {
		data := page{Provider: idp.URL()}
		for _, rp := range real {
			rp.Login = rp.b.LoginURL()
			if rp.b.Authorized(c) {
				if id, err := rp.b.Identity(c); err == nil {
					rp.User = id.Username
				}
			}
			data.Real = append(data.Real, rp)
		}
		if local.Authorized(c) {
			id, err := local.Identity(c)
			if err != nil {
				data.Error = err.Error()
			} else {
				data.Identity = id
			}
		}
		render(c, data)
	})
	// An API call through the blueprint's Client: the token is added, and
	// only ever sent to the provider's API.
	r.GET("/api-call", local.Require(), func(c *gin.Context) {
		var me map[string]any
		data := page{Provider: idp.URL(), APICalled: true}
		if err := local.Client(c).GetJSON("me", &me); err != nil {
			data.Error = err.Error()
		} else {
			data.APIResult = me
		}
		render(c, data)
	})
	// Logout is a POST: with SameSite=Lax cookies another site cannot log
	// the user out.
	r.POST("/logout", func(c *gin.Context) {
		if err := local.Logout(c); err != nil && !errors.Is(err, blueprint.ErrRevoke) {
			c.String(http.StatusInternalServerError, "logout failed")
			return
		}
		c.Redirect(http.StatusSeeOther, "/")
	})
	return r
}

type page struct {
	Provider  string
	Identity  *blueprint.Identity
	APICalled bool
	APIResult map[string]any
	Error     string
	Real      []realProvider // presets whose credentials are set
}

// realProvider is a preset offered next to the local provider.
type realProvider struct {
	Title, Login, User string
	b                  *blueprint.Blueprint
}

var tmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><title>gindance quickstart</title>
<style>body{font:16px system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em}code{background:#eee;padding:0 .2em}</style>
<h1>gindance quickstart</h1>
{{range .Real}}{{if .User}}<p class="real-user">{{.Title}}: logged in as <strong>{{.User}}</strong>.</p>{{end}}{{end}}
{{if .Error}}<p id="error" style="color:#a00">{{.Error}}</p>{{end}}
{{if .APICalled}}
  <h2>API call</h2>
  <p>GET <code>/api/me</code> through <code>Client</code> answered:</p>
  <ul id="api-result">{{range $k, $v := .APIResult}}<li>{{$k}}: {{$v}}</li>{{end}}</ul>
  <p><a href="/">Back</a></p>
{{else if .Identity}}
  <p id="identity">Logged in as <strong id="username">{{.Identity.Username}}</strong> ({{.Identity.Email}}).</p>
  <p><a id="api-call" href="/api-call">Call the API through Client</a></p>
  <form method="post" action="/logout"><button id="logout" type="submit">Log out</button></form>
{{else}}
  <p>Not logged in.</p>
  <p><a id="login" href="/login/local">Log in with the local provider</a></p>
  {{range .Real}}<p><a href="{{.Login}}">Log in with {{.Title}}</a></p>{{end}}
  <p>The local provider runs at <code>{{.Provider}}</code>: sign in there with any name.</p>
{{end}}
</html>
`))

func render(c *gin.Context, data page) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(http.StatusOK)
	if err := tmpl.Execute(c.Writer, data); err != nil {
		_ = c.Error(err)
	}
}

func randomKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}
