package strava_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/strava"
)

var athlete = map[string]any{"id": 134815, "username": "marianne_t", "firstname": "Marianne", "lastname": "Teutenberg",
	"profile": "https://dgalywyr863hv.example/large.jpg"}

// fake is a Strava-like provider: the code exchange's answer carries the
// athlete, a refresh's does not, and refresh tokens rotate; scopes are
// comma-separated, and the granted ones are named in the redirect only.
// grant, when set, is which of the requested scopes the athlete accepts.
func fake(t *testing.T, lifetime time.Duration, grant ...func([]string) []string) (*presettest.Fake, *int) {
	q := gintest.TokenQuirks{ClientAuth: gintest.ClientSecretPost, ResponseExtra: func(grant string, u *gintest.User) map[string]any {
		if grant != "authorization_code" {
			return nil
		}
		return map[string]any{"athlete": athlete}
	}, ScopeSeparator: ",", ScopeInRedirect: true, OmitScope: true}
	if len(grant) > 0 {
		q.GrantScopes = grant[0]
	}
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "134815"}, TokenLifetime: lifetime, RotateRefreshTokens: true,
		TokenQuirks: q})
	calls := new(int)
	f.API.HandleFunc("GET /athlete", func(w http.ResponseWriter, r *http.Request) {
		*calls++
		presettest.JSON(w, athlete)
	})
	return f, calls
}

func login(t *testing.T, f *presettest.Fake, cfg strava.Config) *presettest.Login {
	e := f.Endpoints()
	cfg.ClientID, cfg.ClientSecret = gintest.DefaultClientID, gintest.DefaultClientSecret
	cfg.AuthURL, cfg.TokenURL, cfg.APIBaseURL = e.AuthURL, e.TokenURL, e.APIBaseURL
	cfg.Options = blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}
	l := f.Login(t, strava.New(cfg))
	if l.Status != http.StatusOK || l.Identity == nil {
		t.Fatalf("login: %d %s %v", l.Status, l.Body, l.IdentityErr)
	}
	return l
}

func wantAthlete(t *testing.T, id *blueprint.Identity) {
	t.Helper()
	if id.ID != "134815" || id.Username != "marianne_t" || id.Name != "Marianne Teutenberg" || id.Email != "" ||
		id.AvatarURL != "https://dgalywyr863hv.example/large.jpg" {
		t.Fatalf("identity %+v", id)
	}
}

// TestStravaScopesAreCommaSeparated: Strava splits scope on commas.
func TestStravaScopesAreCommaSeparated(t *testing.T) {
	f, _ := fake(t, time.Hour)
	l := login(t, f, strava.Config{Scopes: []string{"read", "activity:read_all"}, ForceApproval: true})
	if l.Authorize.Get("scope") != "read,activity:read_all" || l.Authorize.Get("approval_prompt") != "force" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	if tok := l.To("/token"); len(tok) != 1 || tok[0].Form.Get("client_secret") != gintest.DefaultClientSecret {
		t.Fatalf("token request %+v, want client_secret_post", tok)
	}
}

// TestStravaScopesAreThoseTheAthleteAccepted: the athlete unticks a scope
// on Strava's consent page; Strava names the accepted ones in the
// redirect's scope parameter only, and Token.Scopes are those. A scope in
// the redirect that was not asked for is not believed (the parameter comes
// through the browser).
func TestStravaScopesAreThoseTheAthleteAccepted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		grant func([]string) []string
		want  []string
	}{
		{"all accepted", func(r []string) []string { return r }, []string{"read", "activity:read_all"}},
		{"one unticked", func([]string) []string { return []string{"read"} }, []string{"read"}},
		{"one not asked for", func(r []string) []string { return append(r, "profile:write") }, []string{"read", "activity:read_all"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := fake(t, time.Hour, tc.grant)
			l := login(t, f, strava.Config{Scopes: []string{"read", "activity:read_all"}})
			if !slices.Equal(l.Token.Scopes, tc.want) {
				t.Fatalf("Token.Scopes %q, want %q", l.Token.Scopes, tc.want)
			}
		})
	}
}

// TestStravaRedirectScopeNeverWidens: the redirect's scope comes through
// the browser, unsigned. When the token response names the granted scopes
// (RFC 6749 §5.1), they stand, and a redirect rewritten to name another
// requested scope does not put it into Token.Scopes.
func TestStravaRedirectScopeNeverWidens(t *testing.T) {
	q := gintest.TokenQuirks{ClientAuth: gintest.ClientSecretPost, ScopeSeparator: ",", ScopeInRedirect: true,
		GrantScopes: func([]string) []string { return []string{"read"} }}
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "134815"}, TokenQuirks: q})
	e := f.Endpoints()
	b := strava.New(strava.Config{ClientID: gintest.DefaultClientID, ClientSecret: gintest.DefaultClientSecret,
		Scopes: []string{"read", "activity:read_all"}, AuthURL: e.AuthURL, TokenURL: e.TokenURL, APIBaseURL: e.APIBaseURL,
		Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}})
	var stored *blueprint.Token
	b.OnLogin(func(c *gin.Context, tok *blueprint.Token) error { stored = tok; return nil })
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(sessions.Sessions("s", cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"))))
	b.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "home") })
	app := httptest.NewServer(r)
	defer app.Close()

	br := gintest.NewBrowser().NoFollow()
	start, err := br.Get(app.URL + "/login/strava")
	if err != nil {
		t.Fatal(err)
	}
	consent, err := br.Get(start.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	cb, err := url.Parse(consent.Header.Get("Location"))
	if err != nil || cb.Query().Get("scope") != "read" {
		t.Fatalf("the provider's redirect %q, want scope=read", consent.Header.Get("Location"))
	}
	v := cb.Query()
	v.Set("scope", "activity:read_all")
	cb.RawQuery = v.Encode()
	if page, err := br.Get(cb.String()); err != nil || page.StatusCode != http.StatusFound {
		t.Fatalf("callback: %v %+v", err, page)
	}
	if stored == nil || !slices.Equal(stored.Scopes, []string{"read"}) {
		t.Fatalf("Token.Scopes %v, want the token response's [read]", stored)
	}
}

// TestStravaIdentityFromTokenResponse: the athlete of the token response
// is the identity; the API is not asked.
func TestStravaIdentityFromTokenResponse(t *testing.T) {
	f, calls := fake(t, time.Hour)
	l := login(t, f, strava.Config{})
	if l.Authorize.Get("scope") != "read" || l.Authorize.Get("approval_prompt") != "auto" {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	wantAthlete(t, l.Identity)
	if *calls != 0 || len(l.To("/athlete")) != 0 {
		t.Fatalf("%d calls to /athlete", *calls)
	}
}

// TestStravaRefreshRotatesAndIdentityFallsBack: a token that expires
// within the refresh leeway is refreshed; the token the app then holds has
// the rotated refresh token, not the one spent, and (carrying no athlete)
// gives its identity through /athlete.
func TestStravaRefreshRotatesAndIdentityFallsBack(t *testing.T) {
	f, calls := fake(t, 10*time.Second)
	l := login(t, f, strava.Config{})
	tok := l.To("/token")
	if len(tok) != 2 || tok[1].Form.Get("grant_type") != "refresh_token" {
		t.Fatalf("token requests %+v, want the code exchange then a refresh", tok)
	}
	if spent := tok[1].Form.Get("refresh_token"); l.Token.RefreshToken == "" || l.Token.RefreshToken == spent {
		t.Fatalf("stored refresh token %q after spending %q: rotation not kept", l.Token.RefreshToken, spent)
	}
	wantAthlete(t, l.Identity)
	if *calls != 1 {
		t.Fatalf("%d calls to /athlete after the refresh, want 1", *calls)
	}
}
