package notion_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/providers/internal/presettest"
	"github.com/gindance/gindance/providers/notion"
)

var owner = map[string]any{"type": "user", "user": map[string]any{"object": "user", "id": "e79a0b74-3aba-4149-9f74-0bb5791a6ee6",
	"name": "Avo Cado", "avatar_url": "https://s3.example/avo.png", "type": "person", "person": map[string]any{"email": "avo@example.test"}}}

// fake is a Notion-like provider: JSON token requests with HTTP Basic
// only, and the owner and workspace in the code exchange's answer.
func fake(t *testing.T, lifetime time.Duration) *presettest.Fake {
	f := presettest.NewOAuth2(t, gintest.Options{User: &gintest.User{ID: "e79a0b74"}, TokenLifetime: lifetime,
		TokenQuirks: gintest.TokenQuirks{JSONRequests: true, ClientAuth: gintest.ClientSecretBasic,
			ResponseExtra: func(grant string, u *gintest.User) map[string]any {
				if grant != "authorization_code" {
					return nil
				}
				return map[string]any{"bot_id": "b0t", "workspace_id": "w1", "workspace_name": "Avo's Notion", "owner": owner}
			}}})
	f.API.HandleFunc("GET /users/me", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Notion-Version") != notion.DefaultVersion {
			http.Error(w, `{"object":"error","code":"missing_version"}`, http.StatusBadRequest)
			return
		}
		presettest.JSON(w, map[string]any{"object": "user", "id": "b0t", "type": "bot", "bot": map[string]any{"owner": owner}})
	})
	return f
}

func login(t *testing.T, f *presettest.Fake) *presettest.Login {
	e := f.Endpoints()
	t.Setenv("NOTION_CLIENT_ID", gintest.DefaultClientID)
	t.Setenv("NOTION_CLIENT_SECRET", gintest.DefaultClientSecret)
	l := f.Login(t, notion.New(notion.Config{AuthURL: e.AuthURL, TokenURL: e.TokenURL, RevocationURL: e.RevokeURL, APIBaseURL: e.APIBaseURL,
		Options: blueprint.Options{HTTPClient: e.HTTPClient, LoginCookieKey: e.LoginCookieKey}}))
	if l.Status != http.StatusOK || l.Identity == nil {
		t.Fatalf("login: %d %s %v", l.Status, l.Body, l.IdentityErr)
	}
	return l
}

func wantOwner(t *testing.T, id *blueprint.Identity) {
	t.Helper()
	if id.ID != "e79a0b74-3aba-4149-9f74-0bb5791a6ee6" || id.Name != "Avo Cado" || id.Email != "avo@example.test" || id.EmailVerified ||
		id.AvatarURL != "https://s3.example/avo.png" {
		t.Fatalf("identity %+v", id)
	}
}

// TestNotionTokenRequestIsJSONWithBasicAuth: the code exchange is a JSON
// object with the client in HTTP Basic (the fake refuses a form and
// credentials in the body); the authorization asks for a user-owned
// connection and no scope.
func TestNotionTokenRequestIsJSONWithBasicAuth(t *testing.T) {
	l := login(t, fake(t, time.Hour))
	if l.Authorize.Get("owner") != "user" || l.Authorize.Has("scope") {
		t.Fatalf("authorize query %v", l.Authorize)
	}
	tok := l.To("/token")
	if len(tok) != 1 || tok[0].Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(tok[0].Header.Get("Authorization"), "Basic ") {
		t.Fatalf("token request %+v", tok)
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(tok[0].Body), &body); err != nil || body["grant_type"] != "authorization_code" || body["code"] == "" ||
		body["redirect_uri"] == "" || body["client_secret"] != "" {
		t.Fatalf("token request body %q (%v)", tok[0].Body, err)
	}
}

// TestNotionIdentityFromTokenResponse: the owner of the token response is
// the identity, without an API call; its email is not called verified.
func TestNotionIdentityFromTokenResponse(t *testing.T) {
	l := login(t, fake(t, time.Hour))
	wantOwner(t, l.Identity)
	if len(l.To("/users/me")) != 0 || l.Token.Extra["workspace_name"] != "Avo's Notion" {
		t.Fatalf("users/me asked, or workspace lost: %v", l.Token.Extra)
	}
}

// TestNotionRefreshIsJSONAndIdentityFallsBack: the refresh is a JSON
// request too, and the refreshed token (no owner) gives its identity
// through users/me, which gets the Notion-Version header.
func TestNotionRefreshIsJSONAndIdentityFallsBack(t *testing.T) {
	l := login(t, fake(t, 10*time.Second))
	tok := l.To("/token")
	if len(tok) != 2 || !strings.Contains(tok[1].Body, `"grant_type":"refresh_token"`) {
		t.Fatalf("token requests %+v", tok)
	}
	wantOwner(t, l.Identity)
	if me := l.To("/users/me"); len(me) != 1 || me[0].Header.Get("Notion-Version") != notion.DefaultVersion {
		t.Fatalf("users/me requests %+v", me)
	}
}

// TestNotionLogoutRevokesWithJSON: the revocation is a JSON request too
// (the fake refuses a form), with Basic auth.
func TestNotionLogoutRevokesWithJSON(t *testing.T) {
	l := login(t, fake(t, time.Hour))
	reqs, err := l.Logout(t)
	if err != nil || len(reqs) != 1 || reqs[0].Header.Get("Content-Type") != "application/json" ||
		!strings.HasPrefix(reqs[0].Header.Get("Authorization"), "Basic ") {
		t.Fatalf("logout: %v, requests %+v", err, reqs)
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(reqs[0].Body), &body); err != nil || body["token"] == "" {
		t.Fatalf("revocation body %q: %v", reqs[0].Body, err)
	}
}
