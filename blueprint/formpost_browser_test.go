package blueprint_test

// form_post in a real browser: headless Chromium, driven by chromedp, logs
// in to an app on localhost through a fake provider on 127.0.0.1, another
// site, which answers with an auto-submitting form. The browser sends that
// cross-site POST without the app's SameSite=Lax session cookie; the
// blueprint's relay page re-posts it same-origin and the login completes.
// Needs Chromium (GINDANCE_CHROMIUM; internal/testenv/headless skips
// without it, and fails under CI=true).

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/internal/testenv/headless"
	"github.com/gindance/gindance/providers/oidc"
)

func TestBrowserFormPostLoginCrossSite(t *testing.T) {
	cases := map[string]func(t *testing.T) *blueprint.Blueprint{
		"oauth2": func(t *testing.T) *blueprint.Blueprint {
			p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u-ada", Login: "ada"}})
			t.Cleanup(p.Close)
			return p.NewBlueprint("idp", func(c *blueprint.OAuth2Config) { c.FormPost = true; c.Issuer = p.URL() })
		},
		"oidc": func(t *testing.T) *blueprint.Blueprint {
			p := gintest.StartOIDCProvider(gintest.OIDCOptions{IssParameter: true,
				User: &gintest.User{ID: "u-ada", Login: "ada", Name: "Ada"}})
			t.Cleanup(p.Close)
			return oidc.New("idp", oidc.Config{Issuer: p.Issuer(), ClientID: gintest.DefaultClientID,
				ClientSecret: gintest.DefaultClientSecret, FormPost: true}).Blueprint
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			b := mk(t)
			var mu sync.Mutex
			var posts []string // Sec-Fetch-Site of each POST to the callback
			var failed error
			b.OnError(func(c *gin.Context, err error) { failed = err; blueprint.DefaultErrorHandler(c, err) })
			r := newEngine()
			r.Use(func(c *gin.Context) {
				if c.Request.Method == http.MethodPost && strings.HasSuffix(c.Request.URL.Path, "/authorized") {
					mu.Lock()
					posts = append(posts, c.GetHeader("Sec-Fetch-Site"))
					mu.Unlock()
				}
			})
			b.Mount(r.Group("/login"))
			r.GET("/", func(c *gin.Context) {
				id, err := b.Identity(c)
				if err != nil || id == nil {
					c.Data(http.StatusOK, "text/html", []byte(`<p id="who">nobody</p>`))
					return
				}
				c.Data(http.StatusOK, "text/html", []byte(`<p id="who">`+id.Username+`</p>`))
			})
			app := httptest.NewServer(r)
			t.Cleanup(app.Close)
			appURL := strings.Replace(app.URL, "127.0.0.1", "localhost", 1) // another site than the provider's 127.0.0.1

			tab := headless.Browser(t, 30*time.Second)
			if err := chromedp.Do(tab,
				chromedp.Navigate(appURL+"/login/idp?next=/"),
				chromedp.WaitVisible(chromedp.CSS("#who")),
			); err != nil {
				t.Fatal(err)
			}
			who, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#who")))
			if err != nil {
				t.Fatal(err)
			}
			loc, _ := chromedp.Run(tab, chromedp.Location())
			mu.Lock()
			defer mu.Unlock()
			if who != "ada" || failed != nil {
				t.Fatalf("after the form_post login the app shows %q (error %v)", who, failed)
			}
			if loc != appURL+"/" {
				t.Errorf("landed on %q", loc)
			}
			// The provider's POST came cross-site (and so without the Lax
			// session cookie); the relay's came same-origin.
			if len(posts) != 2 || posts[0] != "cross-site" || posts[1] != "same-origin" {
				t.Fatalf("POSTs to the callback came with Sec-Fetch-Site %q; want cross-site, then same-origin", posts)
			}
		})
	}
}
