package blueprint_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// BenchmarkDPoPClientCall is one app request whose handler makes 1 or 3
// API calls through the Client with a DPoP-bound token (RFC 9449 §7),
// memory storage, against a gintest provider that requires and verifies
// proofs, replayed jti included: a proof reused across calls fails the
// benchmark. The counts include the in-process provider's side of each
// call; the difference between runs is the client's.
func BenchmarkDPoPClientCall(b *testing.B) {
	p := gintest.StartProvider(gintest.Options{RequireDPoP: true, User: &gintest.User{ID: "u-1", Login: "alice"}})
	b.Cleanup(p.Close)
	bp := p.NewBlueprint("idp", func(c *blueprint.OAuth2Config) { c.DPoP = true })
	bp.SetStorage(gintest.NewMemoryStorage(nil))
	r := newEngine()
	bp.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "authorized=%v", bp.Authorized(c)) })
	r.GET("/calls/:n", func(c *gin.Context) {
		n, _ := strconv.Atoi(c.Param("n"))
		cl := bp.Client(c)
		for i := 0; i < n; i++ {
			var me struct {
				Login string `json:"login"`
			}
			if err := cl.GetJSON("me", &me); err != nil || me.Login != "alice" {
				c.String(http.StatusBadGateway, "call %d: %q %v", i, me.Login, err)
				return
			}
		}
		c.String(http.StatusOK, "ok")
	})
	app := httptest.NewServer(r)
	b.Cleanup(app.Close)
	if page, err := gintest.NewBrowser().Get(app.URL + "/login/idp"); err != nil || page.Body != "authorized=true" {
		b.Fatalf("login: %v %+v", err, page)
	}
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("calls=%d", n), func(b *testing.B) {
			target := fmt.Sprintf("/calls/%d", n)
			b.ReportAllocs()
			for b.Loop() {
				if w := serve(r, http.MethodGet, target, nil); w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}
