// Package bench holds gindance's benchmark suite, side by side with goth,
// zitadel/oidc and a floor (a prebuilt client adding a static Bearer header).
// It is a module of its own so that the main module does not depend on the
// libraries it is compared with. Everything runs in process: the provider is
// gintest's fake served through an http.RoundTripper, and API calls go to a
// stub transport.
//
// Run it with:
//
//	go test -run '^$' -bench . -benchmem -count 10 | tee new.txt
//	benchstat new.txt
//
// See RESULTS.md for the numbers and README.md for the summary.
package bench
