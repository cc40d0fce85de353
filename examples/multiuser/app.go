package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL, when DATABASE_URL is set

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/encrypt"
	"github.com/gindance/gindance/storage/sqlstore"
	"github.com/gindance/gindance/storage/sqlstore/sqlite"
)

// Config is where the app keeps its data.
type Config struct {
	AppAddr     string // host:port
	SQLitePath  string // the database file, unless PostgresURL is set
	PostgresURL string // postgres://...; empty: SQLite
	TokenKeys   string // encrypt.ParseKeys format; empty: a random key
	TablePrefix string // starts the app's table names; default "multiuser_"
}

// App is the running app with its two fake providers.
type App struct {
	URL      string
	Database string // "sqlite:<path>" or "postgres"
	DB       *sql.DB
	Tokens   *sqlstore.Store
	servers  []*http.Server
	bps      map[string]*blueprint.Blueprint
	users    *users
}

// Close stops the servers and closes the database.
func (a *App) Close() {
	for _, s := range a.servers {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = s.Shutdown(ctx)
		cancel()
	}
	a.DB.Close()
}

var providerNames = []string{"alpha", "beta"}

// Start opens the database, migrates the app's tables and the token table,
// and serves the two fake providers and the app.
func Start(ctx context.Context, cfg Config) (*App, error) {
	a := &App{}
	var err error
	if cfg.TablePrefix == "" {
		cfg.TablePrefix = "multiuser_"
	}
	if cfg.PostgresURL != "" {
		a.Database = "postgres"
		if a.DB, err = sql.Open("pgx", cfg.PostgresURL); err == nil {
			err = a.DB.PingContext(ctx)
		}
	} else {
		a.Database = "sqlite:" + cfg.SQLitePath
		a.DB, err = sqlite.Open(cfg.SQLitePath)
	}
	if err != nil {
		return nil, fmt.Errorf("database: %s", storage.Redact(err.Error()))
	}
	fail := func(err error) (*App, error) { a.Close(); return nil, err }

	// Encryption at rest: the token column holds AES-256-GCM ciphertext
	// bound to the provider and the user, never a usable token.
	var keys [][]byte
	if cfg.TokenKeys != "" {
		if keys, err = encrypt.ParseKeys(cfg.TokenKeys); err != nil {
			return fail(err)
		}
	} else {
		keys = [][]byte{randomBytes(32)}
	}
	sealer, err := encrypt.New(keys...)
	if err != nil {
		return fail(err)
	}

	// Whose token: the app's user id from the session; a visitor who is not
	// logged in to the app gets one created by the OnLogin hook below.
	a.Tokens, err = sqlstore.New(a.DB, sqlstore.Config{
		Config: storage.Config{User: sessionUser, Sealer: sealer},
		Table:  cfg.TablePrefix + "tokens",
	})
	if err != nil {
		return fail(err)
	}
	if err := a.Tokens.Migrate(ctx); err != nil {
		return fail(err)
	}
	users := &users{db: a.DB, postgres: a.Tokens.Dialect() == sqlstore.Postgres, prefix: cfg.TablePrefix}
	if err := users.migrate(ctx); err != nil {
		return fail(err)
	}

	appLn, err := net.Listen("tcp", cfg.AppAddr)
	if err != nil {
		return fail(err)
	}
	host, _, _ := net.SplitHostPort(cfg.AppAddr)
	_, port, _ := net.SplitHostPort(appLn.Addr().String())
	if host == "" {
		host = "localhost"
	}
	a.URL = "http://" + net.JoinHostPort(host, port)

	providers := map[string]*gintest.Provider{}
	for _, name := range providerNames {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			appLn.Close()
			return fail(err)
		}
		p := gintest.NewProvider(gintest.Options{})
		p.SetBaseURL("http://" + ln.Addr().String())
		a.serve(ln, p)
		providers[name] = p
	}
	r, bps, err := newRouter(providers, a.Tokens, users)
	if err != nil {
		appLn.Close()
		return fail(err)
	}
	a.bps, a.users = bps, users
	a.serve(appLn, r)
	return a, nil
}

func (a *App) serve(ln net.Listener, h http.Handler) {
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	a.servers = append(a.servers, s)
	go func() { _ = s.Serve(ln) }()
}

// sessionUser is the token store's user function.
func sessionUser(c *gin.Context) (string, error) {
	id, _ := sessions.Default(c).Get("user_id").(string)
	return id, nil
}

func newRouter(providers map[string]*gintest.Provider, tokens *sqlstore.Store, users *users) (*gin.Engine, map[string]*blueprint.Blueprint, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	store := cookie.NewStore(randomBytes(32), randomBytes(32))
	store.Options(sessions.Options{Path: "/", MaxAge: 86400, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	r.Use(sessions.Sessions("multiuser", store))

	bps := map[string]*blueprint.Blueprint{}
	for _, name := range providerNames {
		b := providers[name].NewBlueprint(name)
		if err := b.Validate(); err != nil { // a configuration mistake stops the app here
			return nil, nil, err
		}
		b.SetStorage(tokens)
		// Find or create the app's user, then log them in to the app: the
		// store keys the token to whoever the session names afterwards.
		b.OnLogin(func(c *gin.Context, tok *blueprint.Token) error {
			id, err := b.Identity(c)
			if err != nil {
				return err
			}
			s := sessions.Default(c)
			current, _ := s.Get("user_id").(string)
			userID, err := users.link(c.Request.Context(), current, name, id.ID, id.Username)
			if err != nil {
				return err
			}
			s.Set("user_id", userID)
			return s.Save()
		})
		b.Mount(r.Group("/login"))
		bps[name] = b
	}

	r.GET("/", func(c *gin.Context) {
		data := page{Providers: providerNames}
		userID, _ := sessionUser(c)
		if userID != "" {
			name, err := users.name(c.Request.Context(), userID)
			if err != nil {
				data.Error = err.Error()
			}
			data.User = name
			data.Linked = map[string]string{}
			for _, pn := range providerNames {
				tok, err := bps[pn].Token(c)
				switch {
				case err != nil:
					data.Linked[pn] = "error: " + err.Error()
				case tok != nil:
					if id, err := bps[pn].Identity(c); err == nil {
						data.Linked[pn] = id.Username
					} else {
						data.Linked[pn] = "error: " + err.Error()
					}
				}
			}
		}
		render(c, data)
	})
	r.POST("/logout", func(c *gin.Context) {
		s := sessions.Default(c)
		s.Delete("user_id")
		_ = s.Save()
		c.Redirect(http.StatusSeeOther, "/")
	})
	// Unlinking a provider forgets (and revokes) that provider's token.
	r.POST("/unlink/:provider", func(c *gin.Context) {
		b, ok := bps[c.Param("provider")]
		if !ok {
			c.Status(http.StatusNotFound)
			return
		}
		if err := b.Logout(c); err != nil && !errors.Is(err, blueprint.ErrRevoke) {
			c.String(http.StatusInternalServerError, "unlink failed")
			return
		}
		c.Redirect(http.StatusSeeOther, "/")
	})
	return r, bps, nil
}

// Sync is the app's background job: for every app user and every provider
// they linked, it calls the provider's API outside any request, through
// ClientFor, and returns what each answered ("user id/provider": the
// account's login). A token that expired is refreshed on the same path as
// the users' requests (once between them, on any replica sharing the
// database); a user whose token is gone is skipped. Run it from a ticker,
// a cron job or a queue worker.
func (a *App) Sync(ctx context.Context) (map[string]string, error) {
	rows, err := a.DB.QueryContext(ctx, a.users.q(`SELECT id FROM multiuser_users`))
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	got := map[string]string{}
	for _, id := range ids {
		for _, name := range providerNames {
			cl, err := a.bps[name].ClientFor(ctx, id)
			if errors.Is(err, blueprint.ErrNotAuthorized) {
				continue // not linked, or the token is gone: the user logs in again
			}
			if err != nil {
				return got, err
			}
			var me struct{ Login string }
			if err := cl.GetJSON("me", &me); err != nil {
				return got, fmt.Errorf("%s for user %s: %w", name, id, err)
			}
			got[id+"/"+name] = me.Login
		}
	}
	return got, nil
}

// users is the app's own users table and the provider accounts linked to
// each user.
type users struct {
	db       *sql.DB
	postgres bool
	prefix   string
}

// q puts in the table prefix and rewrites ? placeholders as $n for
// PostgreSQL.
func (u *users) q(query string) string {
	query = strings.ReplaceAll(query, "multiuser_", u.prefix)
	if !u.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (u *users) migrate(ctx context.Context) error {
	for _, stmt := range []string{
		`CREATE TABLE IF NOT EXISTS multiuser_users (id TEXT PRIMARY KEY, name TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS multiuser_accounts (provider TEXT NOT NULL, subject TEXT NOT NULL,
			user_id TEXT NOT NULL REFERENCES multiuser_users (id), PRIMARY KEY (provider, subject))`,
	} {
		if _, err := u.db.ExecContext(ctx, u.q(stmt)); err != nil {
			return err
		}
	}
	return nil
}

// link returns the app user for the provider account: the one it is linked
// to; else current (the logged-in user linking another provider); else a
// new user.
func (u *users) link(ctx context.Context, current, provider, subject, name string) (string, error) {
	var owner string
	err := u.db.QueryRowContext(ctx, u.q(`SELECT user_id FROM multiuser_accounts WHERE provider = ? AND subject = ?`), provider, subject).Scan(&owner)
	switch {
	case err == nil:
		if current != "" && current != owner {
			return "", fmt.Errorf("this %s account is linked to another user", provider)
		}
		return owner, nil
	case !errors.Is(err, sql.ErrNoRows):
		return "", err
	}
	tx, err := u.db.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	userID := current
	if userID == "" {
		userID = hex.EncodeToString(randomBytes(8))
		if _, err := tx.ExecContext(ctx, u.q(`INSERT INTO multiuser_users (id, name) VALUES (?, ?)`), userID, name); err != nil {
			return "", err
		}
	}
	if _, err := tx.ExecContext(ctx, u.q(`INSERT INTO multiuser_accounts (provider, subject, user_id) VALUES (?, ?, ?)`), provider, subject, userID); err != nil {
		return "", err
	}
	return userID, tx.Commit()
}

func (u *users) name(ctx context.Context, id string) (string, error) {
	var name string
	err := u.db.QueryRowContext(ctx, u.q(`SELECT name FROM multiuser_users WHERE id = ?`), id).Scan(&name)
	return name, err
}

type page struct {
	Providers []string
	User      string
	Linked    map[string]string // provider: the account's username
	Error     string
}

func (p page) Unlinked() []string {
	var out []string
	for _, n := range p.Providers {
		if _, ok := p.Linked[n]; !ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

var tmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><title>gindance multiuser</title>
<style>body{font:16px system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em}</style>
<h1>gindance multiuser</h1>
{{if .Error}}<p id="error" style="color:#a00">{{.Error}}</p>{{end}}
{{if .User}}
  <p>Logged in to the app as <strong id="user">{{.User}}</strong>.</p>
  <h2>Linked accounts</h2>
  <ul id="linked">{{range $p, $who := .Linked}}<li>{{$p}}: {{$who}}
    <form method="post" action="/unlink/{{$p}}" style="display:inline"><button>Unlink</button></form></li>{{end}}</ul>
  {{range .Unlinked}}<p><a class="link" href="/login/{{.}}">Link your {{.}} account</a></p>{{end}}
  <form method="post" action="/logout"><button id="logout">Log out</button></form>
{{else}}
  <p>Not logged in.</p>
  {{range .Providers}}<p><a class="login" href="/login/{{.}}">Log in with {{.}}</a></p>{{end}}
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

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
