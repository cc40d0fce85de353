// Command provider runs the gintest fake OAuth 2.0 provider on its own, as a
// small authorization server to point any OAuth client at while developing:
//
//	go run ./examples/provider
//	go run ./examples/provider -addr 127.0.0.1:9000 -client-id my-app -client-secret s3cret \
//		-redirect-uri http://localhost:8080/callback -rotate -token-lifetime 5m
//
// It serves the authorization code flow with PKCE (S256 required) behind a
// sign-in form where any name signs in, the refresh_token and
// client_credentials grants, RFC 7009 revocation, a user endpoint at
// /api/me, RFC 8414 metadata, and a page at / listing all of it. It keeps
// everything in memory and checks no password: it is a development and
// test fixture, never an identity provider for real users.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		os.Exit(2) // the error and the usage are printed already
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv, err := start(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "provider:", err)
		os.Exit(1)
	}
	srv.printBanner(os.Stdout)

	select {
	case <-ctx.Done():
	case err := <-srv.done:
		fmt.Fprintln(os.Stderr, "provider:", err)
		os.Exit(1)
	}
	stop() // a second Ctrl-C kills the process at once
	fmt.Println("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, "provider: shutdown:", err)
		os.Exit(1)
	}
}
