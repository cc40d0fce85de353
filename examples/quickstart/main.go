// Command quickstart is gindance's smallest complete app: it starts the
// gintest fake provider on 127.0.0.1 and a Gin app on localhost (two hosts,
// so their cookies stay apart), and shows a login, the user's identity, an
// API call made through the blueprint's Client, and logout.
//
//	go run ./examples/quickstart
//
// No account anywhere is needed: sign in to the fake provider with any name.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
)

func main() {
	appAddr := flag.String("app", "localhost:8000", "address of the app (host:port; port 0 picks one)")
	idpAddr := flag.String("provider", "127.0.0.1:9000", "address of the fake provider (host:port; port 0 picks one)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	qs, err := start(ctx, *appAddr, *idpAddr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("fake provider: %s\napp:           %s  <- open this and log in with any name\n", qs.ProviderURL, qs.AppURL)
	<-ctx.Done()
	qs.Close()
}
