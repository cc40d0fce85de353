package twitter_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/twitter"
)

// TestLoginAndIdentity: the whole OAuth 1.0a dance (RFC 5849 §2) against
// the fake provider, which verifies the HMAC-SHA1 signature of each
// request (§3.4), then Identity from verify_credentials.
func TestLoginAndIdentity(t *testing.T) {
	gin.SetMode(gin.TestMode)
	p := gintest.StartOAuth1Provider(gintest.OAuth1Options{User: &gintest.User{ID: "12", Login: "jack", Name: "Jack", Email: "jack@example.test"}})
	defer p.Close()
	t.Setenv("TWITTER_CLIENT_ID", gintest.DefaultConsumerKey)
	t.Setenv("TWITTER_CLIENT_SECRET", gintest.DefaultConsumerSecret)
	tw := twitter.New(twitter.Config{IncludeEmail: true, RequestTokenURL: p.RequestTokenURL(),
		AuthorizeURL: p.AuthorizeURL(), AccessTokenURL: p.AccessTokenURL(), APIBaseURL: p.APIBaseURL()})
	r := gin.New()
	r.Use(sessions.Sessions("s", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"))))
	tw.Mount(r.Group("/login"))
	r.GET("/", tw.Require(), func(c *gin.Context) {
		id, err := tw.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "%v", err)
			return
		}
		c.String(http.StatusOK, "%s @%s %s %v", id.ID, id.Username, id.Email, id.EmailVerified)
	})
	app := httptest.NewServer(r)
	defer app.Close()
	page, err := gintest.NewBrowser().Get(app.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	if page.Body != "12 @jack jack@example.test true" {
		t.Fatalf("identity: %d %q", page.StatusCode, page.Body)
	}
	if p.Rejected() != 0 {
		t.Fatalf("the provider rejected %d signatures", p.Rejected())
	}
}

func TestValidateWithoutCredentials(t *testing.T) {
	t.Setenv("TWITTER_CLIENT_ID", "")
	t.Setenv("TWITTER_CLIENT_SECRET", "")
	if err := twitter.New(twitter.Config{}).Validate(); err == nil {
		t.Fatal("Validate accepted a blueprint without consumer key")
	}
}
