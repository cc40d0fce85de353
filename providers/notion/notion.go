package notion

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
)

// Notion's endpoints and API version.
const (
	DefaultAuthURL       = "https://api.notion.com/v1/oauth/authorize"
	DefaultTokenURL      = "https://api.notion.com/v1/oauth/token"
	DefaultRevocationURL = "https://api.notion.com/v1/oauth/revoke"
	DefaultAPIBaseURL    = "https://api.notion.com/v1/"
	// DefaultVersion is the Notion-Version header sent on API calls.
	DefaultVersion = "2022-06-28"
)

// Config configures the Notion blueprint. Empty ClientID and ClientSecret
// are read from NOTION_CLIENT_ID and NOTION_CLIENT_SECRET when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Name is the blueprint's name and mount segment. Default "notion".
	Name string
	// Version is the Notion-Version header of API calls. Empty:
	// DefaultVersion.
	Version string
	// AuthURL, TokenURL, RevocationURL and APIBaseURL override Notion's
	// (tests, proxies).
	AuthURL, TokenURL, RevocationURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares; see
	// blueprint.Options.
	blueprint.Options
}

// New returns a blueprint for a Notion public connection.
func New(cfg Config) *blueprint.Blueprint {
	token, revoke := preset.Or(cfg.TokenURL, DefaultTokenURL), preset.Or(cfg.RevocationURL, DefaultRevocationURL)
	api := preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL)
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: []string{},
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	app.Options.HTTPClient = notionTransport(cfg.HTTPClient, preset.Or(cfg.Version, DefaultVersion), preset.Origin(api), token, revoke)
	b := app.OAuth2(preset.Provider{Name: "notion", Env: "NOTION"}, blueprint.OAuth2Config{
		AuthURL:       preset.Or(cfg.AuthURL, DefaultAuthURL),
		TokenURL:      token,
		RevocationURL: revoke,
		APIBaseURL:    api,
		AuthParams:    map[string]string{"owner": "user"},
		TokenAuth:     blueprint.ClientSecretBasic,
	})
	b.IdentityGetter(Identity)
	return b
}

// notionTransport returns a copy of hc that re-encodes the form bodies
// sent to the token and revocation endpoints as JSON objects, and adds
// Notion-Version to requests to the API's origin.
func notionTransport(hc *http.Client, version, apiOrigin string, jsonURLs ...string) *http.Client {
	return preset.WrapTransport(hc, func(base http.RoundTripper) http.RoundTripper {
		return preset.RoundTripFunc(func(req *http.Request) (*http.Response, error) {
			for _, u := range jsonURLs {
				if preset.IsURL(req, u) {
					return formToJSON(base, req)
				}
			}
			if preset.IsOrigin(req, apiOrigin) && req.Header.Get("Notion-Version") == "" {
				req = req.Clone(req.Context())
				req.Header.Set("Notion-Version", version)
			}
			return base.RoundTrip(req)
		})
	})
}

// formToJSON sends req's form-encoded body as a JSON object of its
// (single-valued) parameters.
func formToJSON(base http.RoundTripper, req *http.Request) (*http.Response, error) {
	if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" || req.Body == nil {
		return base.RoundTrip(req)
	}
	raw, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		return nil, err
	}
	obj := make(map[string]string, len(form))
	for k := range form {
		obj[k] = form.Get(k)
	}
	body, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return base.RoundTrip(req)
}

// Identity is the blueprint's identity function: the user in the token
// response's owner (Token.Extra["owner"]), or, when the stored token
// carries none (after a refresh), the owner of the connection's bot user
// from users/me. A connection owned by a workspace has no user: its
// identity is the bot, named after the workspace.
func Identity(c *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	tok, err := cl.Token()
	if err != nil {
		return nil, err
	}
	owner, _ := tok.Extra["owner"].(map[string]any)
	if owner == nil {
		var me map[string]any
		if err := cl.GetJSON("users/me", &me); err != nil {
			return nil, err
		}
		owner = preset.Obj(me, "bot", "owner")
	}
	u := preset.Obj(owner, "user")
	if u == nil {
		name, _ := tok.Extra["workspace_name"].(string)
		bot, _ := tok.Extra["bot_id"].(string)
		return &blueprint.Identity{ID: bot, Name: name, Raw: owner}, nil
	}
	return &blueprint.Identity{ID: preset.Str(u, "id"), Name: preset.Str(u, "name"), Email: preset.Str(u, "person", "email"),
		AvatarURL: preset.Str(u, "avatar_url"), Raw: u}, nil
}
