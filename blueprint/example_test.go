package blueprint_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
)

// A whole login in a test: the app mounts a blueprint pointed at the gintest
// fake provider, and a gintest.Browser visits a page that requires a login.
// The browser is sent to the provider, which approves at once as
// Options.User, comes back to the callback, and lands on the page it asked
// for.
func Example() {
	p := gintest.StartProvider(gintest.Options{
		User: &gintest.User{ID: "42", Login: "ada", Name: "Ada Lovelace", Email: "ada@example.test"},
	})
	defer p.Close()

	r := gin.New()
	// Test keys; a real app loads 32 random bytes each from its secrets.
	store := cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210"))
	r.Use(sessions.Sessions("app", store))

	idp := p.NewBlueprint("idp") // p.OAuth2Config() with gintest.Identity as identity function
	idp.Mount(r.Group("/login"))
	r.GET("/profile", idp.Require(), func(c *gin.Context) {
		id, err := idp.Identity(c)
		if err != nil {
			c.String(http.StatusBadGateway, "identity: %v", err)
			return
		}
		c.String(http.StatusOK, "hello %s <%s>", id.Name, id.Email)
	})
	app := httptest.NewServer(r)
	defer app.Close()

	page, err := gintest.NewBrowser().Get(app.URL + "/profile")
	if err != nil {
		panic(err)
	}
	fmt.Println(page.URL.Path, page.StatusCode)
	fmt.Println(page.Body)
	fmt.Println("token requests:", p.Calls(gintest.EndpointToken))
	// Output:
	// /profile 200
	// hello Ada Lovelace <ada@example.test>
	// token requests: 1
}

// An OnLogin hook decides what a granted login means to the app. Returning
// ErrSkipStore finishes the login without keeping the token: here the app
// only wants to know who signed in ("sign in with ..."), remembers that in
// its own session, and needs no API access later.
func ExampleBlueprint_OnLogin() {
	p := gintest.StartProvider(gintest.Options{}) // interactive: the sign-in form
	defer p.Close()

	r := gin.New()
	store := cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210"))
	r.Use(sessions.Sessions("app", store))

	idp := p.NewBlueprint("idp", func(cfg *blueprint.OAuth2Config) { cfg.Scopes = []string{"profile"} })
	idp.OnLogin(func(c *gin.Context, tok *blueprint.Token) error {
		if !strings.Contains(strings.Join(tok.Scopes, " "), "profile") {
			return errors.New("the profile scope was not granted") // ends the login in OnError
		}
		s := sessions.Default(c)
		s.Set("signed_in_with", "idp")
		if err := s.Save(); err != nil {
			return err
		}
		return blueprint.ErrSkipStore
	})
	idp.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) {
		c.String(http.StatusOK, "signed in with %v; token kept: %v", sessions.Default(c).Get("signed_in_with"), idp.Authorized(c))
	})
	app := httptest.NewServer(r)
	defer app.Close()

	browser := gintest.NewBrowser()
	form, err := browser.Get(app.URL + "/login/idp")
	if err != nil {
		panic(err)
	}
	page, err := browser.SignIn(form, "grace") // fill in the provider's form as "grace"
	if err != nil {
		panic(err)
	}
	fmt.Println(page.Body)
	// Output:
	// signed in with idp; token kept: false
}

// Client(c) calls the provider's API as the logged-in user: relative paths
// resolve against APIBaseURL, the token goes in the Authorization header,
// and a non-2xx answer is an *APIError.
func ExampleClient_GetJSON() {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "42", Login: "ada"}})
	defer p.Close()

	r := gin.New()
	store := cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210"))
	r.Use(sessions.Sessions("app", store))
	idp := p.NewBlueprint("idp")
	idp.Mount(r.Group("/login"))
	r.GET("/whoami", idp.Require(), func(c *gin.Context) {
		var me struct {
			ID    string `json:"id"`
			Login string `json:"login"`
		}
		err := idp.Client(c).GetJSON("me", &me) // GET <APIBaseURL>me
		var apiErr *blueprint.APIError
		switch {
		case errors.As(err, &apiErr):
			c.String(http.StatusBadGateway, "the API answered %d", apiErr.StatusCode)
		case err != nil:
			c.String(http.StatusBadGateway, "the API failed: %v", err)
		default:
			c.String(http.StatusOK, "%s is user %s", me.Login, me.ID)
		}
	})
	app := httptest.NewServer(r)
	defer app.Close()

	browser := gintest.NewBrowser()
	page, _ := browser.Get(app.URL + "/whoami") // logs in on the way
	fmt.Println(page.Body)

	p.Fail(gintest.Failure{APIStatus: http.StatusServiceUnavailable})
	page, _ = browser.Get(app.URL + "/whoami")
	fmt.Println(page.StatusCode, page.Body)
	// Output:
	// ada is user 42
	// 502 the API answered 503
}

// Require guards routes that need a login. A browser that is not logged in
// is sent to the login with ?next= so that it comes back afterwards; an API
// client (Accept: application/json, or any method but GET and HEAD) gets a
// 401 JSON answer instead.
func ExampleBlueprint_Require() {
	p := gintest.StartProvider(gintest.Options{})
	defer p.Close()

	r := gin.New()
	store := cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210"))
	r.Use(sessions.Sessions("app", store))
	idp := p.NewBlueprint("idp")
	idp.Mount(r.Group("/login"))
	r.GET("/reports", idp.Require(), func(c *gin.Context) { c.String(http.StatusOK, "the reports") })

	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/reports?year=2025", nil))
	fmt.Println(w.Code, w.Header().Get("Location"))

	w = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/reports", nil)
	req.Header.Set("Accept", "application/json")
	r.ServeHTTP(w, req)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// 302 /login/idp?next=%2Freports%3Fyear%3D2025
	// 401 {"error":"not_authorized","login":"/login/idp"}
}

// OnError replaces the default error page of the login flow. Here a user
// who presses "Deny" at the provider is sent back to the start page with a
// notice instead of seeing an error; other failures keep the default
// handler.
func ExampleBlueprint_OnError() {
	p := gintest.StartProvider(gintest.Options{})
	defer p.Close()

	r := gin.New()
	store := cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210"))
	r.Use(sessions.Sessions("app", store))
	idp := p.NewBlueprint("idp")
	idp.OnError(func(c *gin.Context, err error) {
		var denied *blueprint.AuthError
		if errors.As(err, &denied) && denied.Code == "access_denied" {
			c.Redirect(http.StatusFound, "/?notice=login-cancelled")
			return
		}
		blueprint.DefaultErrorHandler(c, err)
	})
	idp.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "start page, notice=%s", c.Query("notice")) })
	app := httptest.NewServer(r)
	defer app.Close()

	browser := gintest.NewBrowser()
	form, _ := browser.Get(app.URL + "/login/idp")
	page, _ := browser.Deny(form) // press "Deny" on the provider's form
	fmt.Println(page.StatusCode, page.Body)

	// A replayed callback (its state was used up) is not a denial: the
	// default handler answers 400.
	callback := page.Hops[len(page.Hops)-2].String()
	page, _ = browser.Get(callback)
	fmt.Println(page.StatusCode)
	// Output:
	// 200 start page, notice=login-cancelled
	// 400
}

// TokenGetter lets a handler unit test skip the login: the blueprint sees
// the returned token as the user's, with no session and no browser. The
// token comes from the fake provider's IssueToken, so API calls made by the
// handler are real. gintest.SeedToken does the same through a Storage.
func ExampleBlueprint_TokenGetter() {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "42", Login: "ada"}})
	defer p.Close()
	access, _ := p.IssueToken("42", time.Hour)

	idp := p.NewBlueprint("idp")
	idp.TokenGetter(func(c *gin.Context) (*blueprint.Token, error) {
		return &blueprint.Token{AccessToken: access, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}, nil
	})
	handler := func(c *gin.Context) { // the handler under test
		id, err := idp.Identity(c)
		if err != nil {
			c.String(http.StatusUnauthorized, "%v", err)
			return
		}
		c.String(http.StatusOK, "dashboard of %s", id.Username)
	}

	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodGet, "/dashboard", nil)
	handler(c)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// 200 dashboard of ada
}

// SafeNext accepts only same-site absolute paths, so a login link cannot be
// used to send the user to another site afterwards.
func ExampleSafeNext() {
	for _, next := range []string{
		"/reports?year=2025",
		"//evil.example/",
		"/%2F%2Fevil.example/",
		"/\\evil.example",
		"https://evil.example/",
		"javascript:alert(1)",
		"reports",
	} {
		safe, ok := blueprint.SafeNext(next)
		fmt.Printf("%-24q %v %q\n", next, ok, safe)
	}
	// Output:
	// "/reports?year=2025"     true "/reports?year=2025"
	// "//evil.example/"        false ""
	// "/%2F%2Fevil.example/"   false ""
	// "/\\evil.example"        false ""
	// "https://evil.example/"  false ""
	// "javascript:alert(1)"    false ""
	// "reports"                false ""
}

// With LoginCookieKey each started login waits in a sealed cookie of its
// own, scoped to the blueprint's path, instead of the user's session: the
// login start answers with that cookie alone, and the callback drops it.
func ExampleOAuth2Config_loginCookieKey() {
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "42", Login: "ada"}})
	defer p.Close()

	r := gin.New()
	store := cookie.NewStore([]byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210"))
	r.Use(sessions.Sessions("app", store))
	idp := p.NewBlueprint("idp", func(cfg *blueprint.OAuth2Config) {
		// Test key; a real app loads 32 random bytes from its secrets, the
		// same on every replica.
		cfg.LoginCookieKey = []byte("0123456789abcdefghijklmnopqrstuv")
	})
	idp.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "logged in: %v", idp.Authorized(c)) })
	app := httptest.NewServer(r)
	defer app.Close()

	browser := gintest.NewBrowser()
	start, err := browser.NoFollow().Get(app.URL + "/login/idp")
	if err != nil {
		panic(err)
	}
	for _, line := range start.Header.Values("Set-Cookie") {
		name, _, _ := strings.Cut(line, "=")
		fmt.Println("login start sets", name[:len("gindance-login.idp.")]+"…", "scoped to", strings.Contains(line, "Path=/login/idp;"))
	}
	page, err := browser.Get(start.Header.Get("Location"))
	if err != nil {
		panic(err)
	}
	fmt.Println(page.Body)
	// Output:
	// login start sets gindance-login.idp.… scoped to true
	// logged in: true
}
