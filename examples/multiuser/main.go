// Command multiuser is an app with its own users that keeps OAuth tokens
// server-side: a user logs in with one provider, links another, and every
// token sits encrypted in a SQL table next to the app's users table.
//
//	go run ./examples/multiuser
//
// The database is an SQLite file by default (-db); set DATABASE_URL to a
// PostgreSQL URL to use PostgreSQL instead (what several replicas of the app
// would share). Tokens are sealed with AES-256-GCM under the keys in
// TOKEN_KEYS (comma-separated, newest first, each 32 bytes in hex as
// `openssl rand -hex 32` prints it); without it a random key is used, so tokens stored by one
// run do not open in the next.
//
// The two providers, "alpha" and "beta", are gintest fake providers on
// 127.0.0.1: sign in to them with any name.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"time"
)

func main() {
	appAddr := flag.String("app", "localhost:8001", "address of the app (host:port; port 0 picks one)")
	dbPath := flag.String("db", filepath.Join(os.TempDir(), "gindance-multiuser.db"), "SQLite database file (ignored when DATABASE_URL is set)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg := Config{AppAddr: *appAddr, SQLitePath: *dbPath, PostgresURL: os.Getenv("DATABASE_URL"), TokenKeys: os.Getenv("TOKEN_KEYS")}
	if cfg.TokenKeys == "" {
		log.Print("TOKEN_KEYS is not set: sealing tokens with a random key for this run")
	}
	app, err := Start(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("database: %s\napp:      %s  <- open this\n", app.Database, app.URL)
	// the background job: every minute, every linked account, no request
	go func() {
		tick := time.NewTicker(time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				synced, err := app.Sync(ctx)
				log.Printf("sync: %d accounts, err %v", len(synced), err)
			}
		}
	}()
	<-ctx.Done()
	app.Close()
}
