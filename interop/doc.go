// Package interop logs gindance in against OAuth 2.0, OpenID Connect and
// OAuth 1.0a servers that this project did not write, and runs third-party
// clients against gintest's fake providers. It is a module of its own so that
// the servers' dependencies never reach the main module's go.sum.
//
// Every server is built from the package registries and started by the tests
// themselves on loopback, with state of its own that ends with the test run.
// Run it with:
//
//	cd interop && go test ./...
//
// Under CI=true a server that cannot be built or started fails the run.
package interop
