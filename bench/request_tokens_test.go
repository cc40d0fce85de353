package bench

import (
	"context"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/storage"
	"github.com/gindance/gindance/storage/memory"
)

// httpClientHandler makes the API call through the Client's standard
// *http.Client, as go-github and the like do: a request with an absolute
// URL, made by the caller.
func httpClientHandler(bp *blueprint.Blueprint) gin.HandlerFunc {
	return func(c *gin.Context) {
		req, err := http.NewRequestWithContext(c.Request.Context(), http.MethodGet, apiBase+"me", nil)
		if err != nil {
			c.Status(http.StatusInternalServerError)
			return
		}
		resp, err := bp.Client(c).HTTPClient().Do(req)
		if err != nil {
			c.Status(http.StatusInternalServerError)
			return
		}
		resp.Body.Close()
		c.Status(http.StatusNoContent)
	}
}

// doHandler makes the same request as httpClientHandler, built by the
// caller with an absolute URL, and sends it through Client.Do: the
// Client's own way for a request the caller made.
func doHandler(bp *blueprint.Blueprint) gin.HandlerFunc {
	return func(c *gin.Context) {
		req, err := http.NewRequestWithContext(c.Request.Context(), http.MethodGet, apiBase+"me", nil)
		if err != nil {
			c.Status(http.StatusInternalServerError)
			return
		}
		resp, err := bp.Client(c).Do(req)
		if err != nil {
			c.Status(http.StatusInternalServerError)
			return
		}
		resp.Body.Close()
		c.Status(http.StatusNoContent)
	}
}

// clientForHandler makes the API call as a background job does, through
// ClientFor for the user key: a Client made for the call, the token read
// from the store by user key.
func clientForHandler(bp *blueprint.Blueprint) gin.HandlerFunc {
	return func(c *gin.Context) {
		cl, err := bp.ClientFor(context.Background(), benchUser)
		if err != nil {
			c.Status(http.StatusInternalServerError)
			return
		}
		resp, err := cl.Get("me")
		if err != nil {
			c.Status(http.StatusInternalServerError)
			return
		}
		resp.Body.Close()
		c.Status(http.StatusNoContent)
	}
}

// memoryHTTPClientCase is memory with the call made through
// Client.HTTPClient.
func memoryHTTPClientCase(testing.TB) (*requestCase, string) {
	rc, _ := storageCaseWith(httpClientHandler, gintest.NewMemoryStorage(nil), func(bp *blueprint.Blueprint, tok *blueprint.Token) error {
		gintest.SeedToken(bp, tok)
		return nil
	})
	return rc, ""
}

// memoryDoCase is memory with the call made through Client.Do.
func memoryDoCase(testing.TB) (*requestCase, string) {
	rc, _ := storageCaseWith(doHandler, gintest.NewMemoryStorage(nil), func(bp *blueprint.Blueprint, tok *blueprint.Token) error {
		gintest.SeedToken(bp, tok)
		return nil
	})
	return rc, ""
}

// memoryStoreHTTPClientCase is memory-store with the call made through
// Client.HTTPClient.
func memoryStoreHTTPClientCase(tb testing.TB) (*requestCase, string) {
	return memoryStoreWith(tb, httpClientHandler)
}

// memoryStoreClientForCase is memory-store with the call made through
// ClientFor.
func memoryStoreClientForCase(tb testing.TB) (*requestCase, string) {
	return memoryStoreWith(tb, clientForHandler)
}

// memoryStoreWith is memory-store with the handler handler makes.
func memoryStoreWith(tb testing.TB, handler func(*blueprint.Blueprint) gin.HandlerFunc) (*requestCase, string) {
	s := memory.New(storage.Config{User: benchUserFunc})
	rc, err := storageCaseWith(handler, s, seedFor(s))
	if err != nil {
		tb.Fatalf("memory: seeding: %v", err)
	}
	return rc, ""
}
