package presettest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/atlassian"
	"github.com/gindance/gindance/providers/bitbucket"
	"github.com/gindance/gindance/providers/digitalocean"
	"github.com/gindance/gindance/providers/discord"
	"github.com/gindance/gindance/providers/dropbox"
	"github.com/gindance/gindance/providers/facebook"
	"github.com/gindance/gindance/providers/gitea"
	"github.com/gindance/gindance/providers/heroku"
	"github.com/gindance/gindance/providers/notion"
	"github.com/gindance/gindance/providers/reddit"
	"github.com/gindance/gindance/providers/spotify"
	"github.com/gindance/gindance/providers/strava"
	"github.com/gindance/gindance/providers/twitter"
	"github.com/gindance/gindance/providers/zoom"
)

// TestAPIPresetDefaultsAreValid: with only credentials set, each OAuth 2.0
// API preset passes Validate with its default endpoints and sends the
// browser to the provider's own authorization endpoint over HTTPS.
func TestAPIPresetDefaultsAreValid(t *testing.T) {
	const id, secret = "client-id", "test-client-secret"
	for want, b := range map[string]*blueprint.Blueprint{
		"https://auth.atlassian.com/authorize?":                  atlassian.New(atlassian.Config{ClientID: id, ClientSecret: secret}),
		"https://bitbucket.org/site/oauth2/authorize?":           bitbucket.New(bitbucket.Config{ClientID: id, ClientSecret: secret}),
		"https://cloud.digitalocean.com/v1/oauth/authorize?":     digitalocean.New(digitalocean.Config{ClientID: id, ClientSecret: secret}),
		"https://discord.com/oauth2/authorize?":                  discord.New(discord.Config{ClientID: id, ClientSecret: secret}),
		"https://www.dropbox.com/oauth2/authorize?":              dropbox.New(dropbox.Config{ClientID: id, ClientSecret: secret}),
		"https://www.facebook.com/" + facebook.DefaultAPIVersion: facebook.New(facebook.Config{ClientID: id, ClientSecret: secret}),
		"https://gitea.com/login/oauth/authorize?":               gitea.New(gitea.Config{ClientID: id, ClientSecret: secret}),
		"https://id.heroku.com/oauth/authorize?":                 heroku.New(heroku.Config{ClientID: id, ClientSecret: secret}),
		"https://api.notion.com/v1/oauth/authorize?":             notion.New(notion.Config{ClientID: id, ClientSecret: secret}),
		"https://www.reddit.com/api/v1/authorize?":               reddit.New(reddit.Config{ClientID: id, ClientSecret: secret}),
		"https://accounts.spotify.com/authorize?":                spotify.New(spotify.Config{ClientID: id, ClientSecret: secret}),
		"https://www.strava.com/oauth/authorize?":                strava.New(strava.Config{ClientID: id, ClientSecret: secret}),
		"https://x.com/i/oauth2/authorize?":                      twitter.NewOAuth2(twitter.OAuth2Config{ClientID: id, ClientSecret: secret}),
		"https://zoom.us/oauth/authorize?":                       zoom.New(zoom.Config{ClientID: id, ClientSecret: secret}),
	} {
		if err := b.Validate(); err != nil {
			t.Errorf("%s: %v", b.Name(), err)
			continue
		}
		r := gin.New()
		r.Use(sessions.Sessions("s", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"))))
		b.Mount(r)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/"+b.Name(), nil))
		if loc := w.Header().Get("Location"); !strings.HasPrefix(loc, want) {
			t.Errorf("%s: login redirect %q, want %s...", b.Name(), loc, want)
		}
	}
}
