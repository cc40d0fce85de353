package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/internal/testenv"
)

func TestMultiuserSQLite(t *testing.T) {
	story(t, Config{SQLitePath: filepath.Join(t.TempDir(), "app.db")})
}

func TestMultiuserPostgres(t *testing.T) {
	dsn := testenv.Service(t, "GINDANCE_POSTGRES_DSN", "PostgreSQL")
	b := make([]byte, 5)
	rand.Read(b)
	prefix := "mu" + hex.EncodeToString(b) + "_"
	app := story(t, Config{PostgresURL: dsn, TablePrefix: prefix})
	t.Cleanup(func() {
		for _, tbl := range []string{"tokens", "accounts", "users"} {
			if _, err := app.DB.Exec("DROP TABLE IF EXISTS " + prefix + tbl); err != nil {
				t.Errorf("drop %s: %v", tbl, err)
			}
		}
		app.Close()
	})
}

// story: ada logs in with alpha (a new app user), links beta, and her
// tokens sit encrypted in the token table; logging in later with beta alone
// finds the same app user with both accounts linked.
func story(t *testing.T, cfg Config) *App {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	cfg.AppAddr = "localhost:0"
	cfg.TokenKeys = base64.StdEncoding.EncodeToString(key)
	app, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PostgresURL == "" {
		t.Cleanup(app.Close)
	}
	br := gintest.NewBrowser()
	get := func(path string) *gintest.Page {
		t.Helper()
		p, err := br.Get(app.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return p
	}
	signIn := func(form *gintest.Page, name string) *gintest.Page {
		t.Helper()
		p, err := br.SignIn(form, name)
		if err != nil {
			t.Fatalf("sign in as %s: %v", name, err)
		}
		return p
	}

	home := signIn(get("/login/alpha"), "ada")
	if !strings.Contains(home.Body, `<strong id="user">ada</strong>`) || !strings.Contains(home.Body, "<li>alpha: ada") {
		t.Fatalf("after the alpha login: %d %q", home.StatusCode, home.Body)
	}
	home = signIn(get("/login/beta"), "ada-b")
	if !strings.Contains(home.Body, "<li>alpha: ada") || !strings.Contains(home.Body, "<li>beta: ada-b") {
		t.Fatalf("after linking beta: %q", home.Body)
	}

	// one app user, two tokens, none readable in the table
	var users, tokens int
	_ = app.DB.QueryRow("SELECT COUNT(*) FROM " + app.Tokens.Table()).Scan(&tokens)
	prefix := strings.TrimSuffix(app.Tokens.Table(), "tokens")
	_ = app.DB.QueryRow("SELECT COUNT(*) FROM " + prefix + "users").Scan(&users)
	if users != 1 || tokens != 2 {
		t.Fatalf("users = %d, tokens = %d; want 1 and 2", users, tokens)
	}
	rows, err := app.DB.Query("SELECT token FROM " + app.Tokens.Table())
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var raw []byte
		_ = rows.Scan(&raw)
		if bytes.Contains(raw, []byte("gta_")) || bytes.Contains(raw, []byte("access_token")) {
			t.Fatalf("a token is stored in the clear: %q", raw)
		}
	}
	rows.Close()

	// the background job reaches both of ada's accounts outside any request
	synced, err := app.Sync(context.Background())
	if err != nil || len(synced) != 2 {
		t.Fatalf("sync: %v, %v; want ada's two accounts", synced, err)
	}
	for k, login := range synced {
		if !strings.HasPrefix(login, "ada") {
			t.Fatalf("sync: %s answered %q", k, login)
		}
	}

	// a new browser logging in with beta alone is the same app user
	br = gintest.NewBrowser()
	home = signIn(get("/login/beta"), "ada-b")
	if !strings.Contains(home.Body, `<strong id="user">ada</strong>`) || !strings.Contains(home.Body, "<li>alpha: ada") {
		t.Fatalf("beta login in a new browser: %q", home.Body)
	}
	return app
}
