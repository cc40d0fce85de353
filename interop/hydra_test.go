package interop

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/internal/testenv"
)

// Ory Hydra v2, built from the module proxy with testdata/hydra/go.mod
// (see the comment there for why a module of its own), started by the test
// as "hydra serve all --dev" on an in-memory database, loopback ports and
// a fresh system secret. The suite is Hydra's login, consent and logout
// app: HTML forms that the browser fills, whose handlers accept or reject
// the challenges through Hydra's admin API as Hydra's documentation
// describes (GET the request, PUT accept or reject, follow redirect_to).

// hydraVersion is the version testdata/hydra/go.mod requires.
const hydraVersion = "v2.3.0"

// hydraTTL is TTL_ACCESS_TOKEN: short, so that the refresh check does
// not wait long for a token to come due.
const hydraTTL = 30 * time.Second

// The user the suite's login app knows.
const (
	hydraUser     = "alice"
	hydraPassword = "wonderland-1865"
	hydraSubject  = "user-alice-1"
)

func TestOryHydra(t *testing.T) {
	h := startHydra(t)
	s := &opServer{
		client:   h.client,
		signIn:   h.signIn,
		signOut:  h.signOut,
		scopes:   []string{"profile", "email", "offline_access"},
		lifetime: hydraTTL,
		// fosite revokes the tokens of a code that is used twice.
		codeReuseRevokes: true,
		user: blueprint.Identity{ID: hydraSubject, Username: hydraUser, Name: "Alice Liddell",
			Email: "alice@example.test", EmailVerified: true},
	}
	s.run(t)
	t.Run("DeniedConsent", func(t *testing.T) { h.checkDeniedConsent(t, s) })
	t.Run("PrivateKeyJWT", func(t *testing.T) { h.checkPrivateKeyJWT(t, s) })
}

// checkPrivateKeyJWT logs in with private_key_jwt (RFC 7523 §2.2): a
// client registered with the app's jwks_uri and no secret. Hydra 2.3
// (fosite) accepts only its token endpoint URL as the assertion's aud:
// the issuer identifier that the RFC 7523 update asks for, gindance's
// default, is refused as invalid_client, and AssertionAudienceTokenURL
// makes the login work.
func (h *hydra) checkPrivateKeyJWT(t *testing.T, s *opServer) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys := []blueprint.ClientKey{{Signer: key, KeyID: "interop-1"}}
	for _, tokenURLAud := range []bool{false, true} {
		r := newRPServer(t)
		var c struct {
			ID string `json:"client_id"`
		}
		h.adminCall(t, http.MethodPost, "/admin/clients", map[string]any{
			"client_name": "gindance interop private_key_jwt", "grant_types": []string{"authorization_code", "refresh_token"},
			"response_types": []string{"code"}, "scope": "openid offline_access profile email",
			"redirect_uris": []string{r.callbackURL()}, "post_logout_redirect_uris": []string{r.postLogoutURL()},
			"token_endpoint_auth_method": "private_key_jwt", "token_endpoint_auth_signing_alg": "ES256",
			"jwks_uri": r.URL + "/jwks.json",
		}, &c)
		r.configure(t, rpConfig{Issuer: h.public, ClientID: c.ID, Scopes: s.scopes, RefreshLeeway: time.Second,
			ClientKeys: keys, AssertionAudienceTokenURL: tokenURLAud})
		page := s.signIn(t, r.browser, r.get(t, "/login/idp"))
		if !tokenURLAud {
			var pe *blueprint.ProviderError
			if err := r.lastErr(t); !errors.As(err, &pe) || pe.Code != "invalid_client" {
				t.Fatalf("issuer as aud: %v (page %d %q), want Hydra's invalid_client", err, page.StatusCode, excerpt(page.Body))
			}
			continue
		}
		if page.StatusCode != http.StatusOK || page.Body != "authorized=true" {
			t.Fatalf("login with the token URL as aud: %d %q", page.StatusCode, excerpt(page.Body))
		}
		var m me
		r.getJSON(t, "/me", &m)
		if m.Identity.ID != hydraSubject {
			t.Fatalf("identity %+v", m.Identity)
		}
	}
}

// hydra is a running Hydra and the suite's login-and-consent app for it.
type hydra struct {
	public, admin string // base URLs, no trailing slash
	ui            *httptest.Server
}

// hydraBinary builds Hydra once per version and dependency set into the
// user's cache directory, and reuses it; Go's build cache makes a rebuild
// after a cache wipe cheap too.
func hydraBinary(t *testing.T) string {
	t.Helper()
	sum, err := os.ReadFile(filepath.Join("testdata", "hydra", "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	key := sha256.Sum256(append(sum, runtime.Version()+runtime.GOOS+runtime.GOARCH...))
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "gindance-interop", "hydra-"+hydraVersion+"-"+hex.EncodeToString(key[:6]))
	bin := filepath.Join(dir, "hydra")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := fmt.Sprintf("%s.%d.tmp", bin, os.Getpid())
	started := time.Now()
	cmd := exec.Command(goTool, "build", "-mod=readonly", "-tags", "sqlite,sqlite_omit_load_extension",
		"-o", tmp, "github.com/ory/hydra/v2")
	cmd.Dir = filepath.Join("testdata", "hydra")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "CGO_ENABLED=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		os.Remove(tmp)
		testenv.Unavailable(t, "Ory Hydra "+hydraVersion+" (go build in testdata/hydra)",
			fmt.Errorf("%w\n%s", err, tail(out, 2000)))
	}
	if err := os.Rename(tmp, bin); err != nil {
		t.Fatal(err)
	}
	t.Logf("built Ory Hydra %s in %v into %s", hydraVersion, time.Since(started).Round(time.Second), bin)
	return bin
}

// startHydra starts Hydra and the login app, and stops both when t ends.
func startHydra(t *testing.T) *hydra {
	t.Helper()
	bin := hydraBinary(t)
	h := &hydra{}
	h.ui = httptest.NewServer(h.loginApp())
	t.Cleanup(h.ui.Close)

	pub, adm := loopbackPort(t), loopbackPort(t)
	h.public, h.admin = "http://127.0.0.1:"+pub, "http://127.0.0.1:"+adm
	cmd := exec.Command(bin, "serve", "all", "--dev", "--sqa-opt-out")
	cmd.Env = append(os.Environ(),
		"DSN=memory",
		"SQA_OPT_OUT=true",
		"LOG_LEVEL=warn",
		"SECRETS_SYSTEM="+randomHex(16),
		"SERVE_PUBLIC_HOST=127.0.0.1", "SERVE_PUBLIC_PORT="+pub,
		"SERVE_ADMIN_HOST=127.0.0.1", "SERVE_ADMIN_PORT="+adm,
		"URLS_SELF_ISSUER="+h.public,
		"URLS_LOGIN="+h.ui.URL+"/login",
		"URLS_CONSENT="+h.ui.URL+"/consent",
		"URLS_LOGOUT="+h.ui.URL+"/logout",
		"TTL_ACCESS_TOKEN="+hydraTTL.String(),
	)
	var logs lockedBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		testenv.Unavailable(t, "Ory Hydra "+hydraVersion, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("hydra's log:\n%s", tail(logs.Bytes(), 8000))
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for _, u := range []string{h.admin + "/health/ready", h.public + "/health/ready"} {
		for {
			resp, err := http.Get(u)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			select {
			case err := <-exited:
				testenv.Unavailable(t, "Ory Hydra "+hydraVersion, fmt.Errorf("exited at start: %v\n%s", err, tail(logs.Bytes(), 4000)))
			case <-time.After(100 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				testenv.Unavailable(t, "Ory Hydra "+hydraVersion, fmt.Errorf("not ready after 60 s\n%s", tail(logs.Bytes(), 4000)))
			}
		}
	}
	return h
}

// client registers an OAuth 2.0 client through the admin API
// (POST /admin/clients), with the secret Hydra generates.
func (h *hydra) client(t *testing.T, redirectURI, postLogoutURI, secret string) (issuer, clientID, clientSecret string) {
	t.Helper()
	var c struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	reg := map[string]any{
		"client_name":                "gindance interop",
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"scope":                      "openid offline_access profile email",
		"redirect_uris":              []string{redirectURI},
		"post_logout_redirect_uris":  []string{postLogoutURI},
		"token_endpoint_auth_method": "client_secret_basic",
	}
	if secret != "" {
		reg["client_secret"] = secret
	}
	h.adminCall(t, http.MethodPost, "/admin/clients", reg, &c)
	if c.ID == "" || c.Secret == "" {
		t.Fatalf("client registration returned no client_id or secret")
	}
	return h.public, c.ID, c.Secret
}

// signIn fills the login form, unless Hydra remembers the person's
// login (skip), and then allows the consent.
func (h *hydra) signIn(t *testing.T, b *gintest.Browser, page *gintest.Page) *gintest.Page {
	t.Helper()
	if page.URL != nil && !strings.HasPrefix(page.URL.String(), h.ui.URL+"/consent?") {
		page = h.login(t, b, page)
	}
	return h.submit(t, b, page, "/consent", url.Values{"action": {"allow"}})
}

// login fills the login form and returns the consent page.
func (h *hydra) login(t *testing.T, b *gintest.Browser, page *gintest.Page) *gintest.Page {
	t.Helper()
	return h.submit(t, b, page, "/login", url.Values{"username": {hydraUser}, "password": {hydraPassword}})
}

// signOut confirms the logout that end_session asks about.
func (h *hydra) signOut(t *testing.T, b *gintest.Browser, page *gintest.Page) *gintest.Page {
	t.Helper()
	return h.submit(t, b, page, "/logout", url.Values{"action": {"yes"}})
}

// submit checks that page is the login app's form at path and submits it.
func (h *hydra) submit(t *testing.T, b *gintest.Browser, page *gintest.Page, path string, fields url.Values) *gintest.Page {
	t.Helper()
	if page.URL == nil || !strings.HasPrefix(page.URL.String(), h.ui.URL+path+"?") || page.StatusCode != http.StatusOK {
		t.Fatalf("want the %s form, the browser is at %v: %d %s", path, page.URL, page.StatusCode, excerpt(page.Body))
	}
	next, err := submitForm(b, page, fields)
	if err != nil {
		t.Fatal(err)
	}
	return next
}

// checkDeniedConsent: the person denies the consent, the login app
// rejects it (PUT .../consent/reject, access_denied), Hydra sends the
// browser back with ?error=access_denied (RFC 6749 §4.1.2.1), and the
// login ends in OnError with an *AuthError and nothing stored.
func (h *hydra) checkDeniedConsent(t *testing.T, s *opServer) {
	r, _ := s.start(t, 0, "")
	page := h.submit(t, r.browser, h.login(t, r.browser, r.get(t, "/login/idp")), "/consent", url.Values{"action": {"deny"}})
	if page.StatusCode != http.StatusForbidden {
		t.Fatalf("after denying consent: %d %s, want 403", page.StatusCode, excerpt(page.Body))
	}
	var ae *blueprint.AuthError
	if err := r.lastErr(t); !errors.As(err, &ae) || ae.Code != "access_denied" {
		t.Fatalf("error %v: want an *AuthError access_denied", err)
	}
	if page := r.get(t, "/"); page.Body != "authorized=false" {
		t.Fatalf("after the denied consent: %s", page.Body)
	}
}

// loginApp is Hydra's login, consent and logout UI: one form per step.
func (h *hydra) loginApp() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		ch := r.URL.Query().Get("login_challenge")
		var req struct {
			Skip    bool   `json:"skip"`
			Subject string `json:"subject"`
		}
		if err := h.adminAPI(http.MethodGet, "/admin/oauth2/auth/requests/login?login_challenge="+url.QueryEscape(ch), nil, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if req.Skip { // Hydra remembers this person: accept without asking
			h.acceptLogin(w, r, ch, req.Subject)
			return
		}
		showForm(w, "Sign in", "login_challenge", ch, loginInputs, "")
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		ch := r.PostFormValue("login_challenge")
		if r.PostFormValue("username") != hydraUser || r.PostFormValue("password") != hydraPassword {
			showForm(w, "Sign in", "login_challenge", ch, loginInputs, "wrong user or password")
			return
		}
		h.acceptLogin(w, r, ch, hydraSubject)
	})
	mux.HandleFunc("GET /consent", func(w http.ResponseWriter, r *http.Request) {
		ch := r.URL.Query().Get("consent_challenge")
		showForm(w, "Allow access?", "consent_challenge", ch,
			`<button name="action" value="allow">Allow</button><button name="action" value="deny">Deny</button>`, "")
	})
	mux.HandleFunc("POST /consent", func(w http.ResponseWriter, r *http.Request) {
		ch := url.QueryEscape(r.PostFormValue("consent_challenge"))
		var redirect struct {
			To string `json:"redirect_to"`
		}
		var err error
		if r.PostFormValue("action") != "allow" {
			err = h.adminAPI(http.MethodPut, "/admin/oauth2/auth/requests/consent/reject?consent_challenge="+ch,
				map[string]any{"error": "access_denied", "error_description": "The user denied the request."}, &redirect)
		} else {
			var req struct {
				Scope    []string `json:"requested_scope"`
				Audience []string `json:"requested_access_token_audience"`
			}
			if err = h.adminAPI(http.MethodGet, "/admin/oauth2/auth/requests/consent?consent_challenge="+ch, nil, &req); err == nil {
				err = h.adminAPI(http.MethodPut, "/admin/oauth2/auth/requests/consent/accept?consent_challenge="+ch, map[string]any{
					"grant_scope": req.Scope, "grant_access_token_audience": req.Audience,
					"session": map[string]any{"id_token": map[string]any{
						"preferred_username": hydraUser, "name": "Alice Liddell",
						"email": "alice@example.test", "email_verified": true,
					}},
				}, &redirect)
			}
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		http.Redirect(w, r, redirect.To, http.StatusFound)
	})
	mux.HandleFunc("GET /logout", func(w http.ResponseWriter, r *http.Request) {
		showForm(w, "Sign out?", "logout_challenge", r.URL.Query().Get("logout_challenge"),
			`<button name="action" value="yes">Sign out</button>`, "")
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		var redirect struct {
			To string `json:"redirect_to"`
		}
		ch := url.QueryEscape(r.PostFormValue("logout_challenge"))
		if err := h.adminAPI(http.MethodPut, "/admin/oauth2/auth/requests/logout/accept?logout_challenge="+ch, nil, &redirect); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		http.Redirect(w, r, redirect.To, http.StatusFound)
	})
	return mux
}

// acceptLogin accepts a login challenge for subject, remembered so that
// RP-initiated logout has a session to end.
func (h *hydra) acceptLogin(w http.ResponseWriter, r *http.Request, challenge, subject string) {
	var redirect struct {
		To string `json:"redirect_to"`
	}
	if err := h.adminAPI(http.MethodPut, "/admin/oauth2/auth/requests/login/accept?login_challenge="+url.QueryEscape(challenge),
		map[string]any{"subject": subject, "remember": true, "remember_for": 3600}, &redirect); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, redirect.To, http.StatusFound)
}

const loginInputs template.HTML = `<label>User <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button name="action" value="login">Sign in</button>`

var formPage = template.Must(template.New("form").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Title}}</title></head><body>
<h1>{{.Title}}</h1>{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
<form method="post"><input type="hidden" name="{{.Field}}" value="{{.Challenge}}">{{.Inputs}}</form>
</body></html>`))

func showForm(w http.ResponseWriter, title, field, challenge string, inputs template.HTML, errMsg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = formPage.Execute(w, map[string]any{"Title": title, "Field": field, "Challenge": challenge, "Inputs": inputs, "Error": errMsg})
}

// adminCall is adminAPI that fails the test on an error.
func (h *hydra) adminCall(t *testing.T, method, path string, body, v any) {
	t.Helper()
	if err := h.adminAPI(method, path, body, v); err != nil {
		t.Fatal(err)
	}
}

// adminAPI calls Hydra's admin API with a JSON body and decodes the JSON
// answer into v; a non-2xx answer is an error.
func (h *hydra) adminAPI(method, path string, body, v any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.admin+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("hydra admin %s %s: %d %s", method, path, resp.StatusCode, excerpt(string(raw)))
	}
	return json.Unmarshal(raw, v)
}

// loopbackPort returns a loopback TCP port that was free a moment ago.
func loopbackPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// lockedBuffer collects a child process's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}
