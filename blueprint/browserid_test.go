package blueprint_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

func TestBrowserIDIsCreatedOnceAndKeptPerBrowser(t *testing.T) {
	r := newEngine()
	r.GET("/peek", func(c *gin.Context) {
		id, err := blueprint.BrowserID(c, "", false)
		if err != nil {
			c.String(500, err.Error())
			return
		}
		c.String(200, id)
	})
	r.GET("/make", func(c *gin.Context) {
		id, err := blueprint.BrowserID(c, "", true)
		if err != nil {
			c.String(500, err.Error())
			return
		}
		c.String(200, id)
	})

	if w := serve(r, "GET", "/peek", nil); w.Code != 200 || w.Body.String() != "" || len(w.Result().Cookies()) != 0 {
		t.Fatalf("peek without id: %d %q cookies=%d, want an empty id and no cookie", w.Code, w.Body, len(w.Result().Cookies()))
	}
	w := serve(r, "GET", "/make", nil)
	id := w.Body.String()
	if w.Code != 200 || len(id) != 43 {
		t.Fatalf("make: %d %q, want a 43-character id", w.Code, id)
	}
	jar := mergeCookies(nil, w)
	if w := serve(r, "GET", "/make", jar); w.Body.String() != id {
		t.Fatalf("second make with the same cookie: %q, want %q", w.Body, id)
	}
	if w := serve(r, "GET", "/peek", jar); w.Body.String() != id {
		t.Fatalf("peek with the cookie: %q, want %q", w.Body, id)
	}
	other := serve(r, "GET", "/make", nil).Body.String()
	if other == id || other == "" {
		t.Fatalf("another browser got %q (first %q), want a different id", other, id)
	}
}

func TestBrowserIDWithoutSessionMiddleware(t *testing.T) {
	r := gin.New()
	var got error
	r.GET("/", func(c *gin.Context) {
		_, got = blueprint.BrowserID(c, "", true)
		c.Status(http.StatusNoContent)
	})
	serve(r, "GET", "/", nil)
	if !errors.Is(got, blueprint.ErrNoSession) {
		t.Fatalf("err = %v, want ErrNoSession", got)
	}
}
