package microsoft

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/providers/internal/preset"
	"github.com/gindance/gindance/providers/oidc"
)

// Endpoints and well-known tenants of the Microsoft identity platform.
const (
	// DefaultAuthority is the global cloud's login host; national clouds
	// have their own (Config.Authority).
	DefaultAuthority = "https://login.microsoftonline.com"
	// DefaultAPIBaseURL is Microsoft Graph v1.0.
	DefaultAPIBaseURL = "https://graph.microsoft.com/v1.0/"
	// ConsumersTenantID is the tenant of personal Microsoft accounts: the
	// tid of their id_tokens, and the tenant of the /consumers issuer.
	ConsumersTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"
)

// Tenant values of Config.Tenant besides a tenant ID.
const (
	// Common: work, school and personal accounts (multi-tenant).
	Common = "common"
	// Organizations: work and school accounts of any tenant.
	Organizations = "organizations"
	// Consumers: personal Microsoft accounts only.
	Consumers = "consumers"
)

// ErrPersonalAccount means a personal Microsoft account logged in to a
// blueprint with Tenant Organizations. It wraps oidc.ErrTenant.
var ErrPersonalAccount = fmt.Errorf("%w: a personal Microsoft account, and Tenant is organizations", oidc.ErrTenant)

// Config configures the Microsoft (Entra ID) blueprint. Empty ClientID and
// ClientSecret are read from MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET
// when New runs.
type Config struct {
	ClientID, ClientSecret string
	// Scopes besides openid. Default: profile, email, offline_access (for
	// a refresh token); with Graph also User.Read.
	Scopes []string
	// Name is the blueprint's name and mount segment. Default "microsoft".
	Name string
	// Tenant selects who may log in: a tenant ID (a GUID: single tenant),
	// Organizations (any work or school account), Consumers (personal
	// accounts) or Common (the default: both). Organizations and Common
	// use the issuer template https://login.microsoftonline.com/{tenantid}/v2.0
	// (oidc.Config.IssuerTemplate); give a single tenant by its ID, not a
	// domain name, since the issuer names the ID.
	Tenant string
	// Tenants and AllowTenant restrict a multi-tenant blueprint to some
	// tenant IDs (see oidc.Config).
	Tenants     []string
	AllowTenant func(tid string) error
	// Graph maps Identity from Microsoft Graph's /me (and asks for
	// User.Read) instead of the id_token's claims.
	Graph bool
	// FormPost asks for response_mode=form_post (see
	// blueprint.OAuth2Config.FormPost).
	FormPost bool
	// Authority overrides https://login.microsoftonline.com (national
	// clouds). Issuer, IssuerTemplate, DiscoveryURL and APIBaseURL
	// override what Tenant and Authority give (tests, proxies).
	Authority                                        string
	Issuer, IssuerTemplate, DiscoveryURL, APIBaseURL string
	// RedirectURL and RedirectTo: see blueprint.OAuth2Config.
	RedirectURL, RedirectTo string

	// Options are the settings every blueprint shares (HTTP client,
	// timeouts, session, logger, ...); see blueprint.Options.
	blueprint.Options
}

// New returns an OpenID Connect blueprint for Microsoft Entra ID and
// personal Microsoft accounts; its Claims method works.
func New(cfg Config) *oidc.Blueprint {
	authority := strings.TrimSuffix(preset.Or(cfg.Authority, DefaultAuthority), "/")
	tenant := preset.Or(cfg.Tenant, Common)
	oc := oidc.Config{FormPost: cfg.FormPost, Tenants: cfg.Tenants, AllowTenant: cfg.AllowTenant,
		APIBaseURL: preset.Or(cfg.APIBaseURL, DefaultAPIBaseURL)}
	switch tenant {
	case Common, Organizations:
		oc.Issuer = authority + "/" + tenant + "/v2.0"
		oc.IssuerTemplate = authority + "/" + oidc.TenantPlaceholder + "/v2.0"
	case Consumers:
		// /consumers publishes the fixed issuer of the consumers tenant.
		oc.Issuer = authority + "/" + ConsumersTenantID + "/v2.0"
		oc.DiscoveryURL = authority + "/consumers/v2.0/.well-known/openid-configuration"
	default:
		oc.Issuer = authority + "/" + tenant + "/v2.0"
	}
	oc.Issuer = preset.Or(cfg.Issuer, oc.Issuer)
	oc.IssuerTemplate = preset.Or(cfg.IssuerTemplate, oc.IssuerTemplate)
	oc.DiscoveryURL = preset.Or(cfg.DiscoveryURL, oc.DiscoveryURL)
	if tenant == Organizations {
		next := oc.AllowTenant
		oc.AllowTenant = func(tid string) error {
			if tid == ConsumersTenantID {
				return ErrPersonalAccount
			}
			if next != nil {
				return next(tid)
			}
			return nil
		}
	}
	scopes := []string{"profile", "email", "offline_access"}
	if cfg.Graph {
		scopes = append(scopes, "User.Read")
	}
	app := preset.App{Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: cfg.Scopes,
		RedirectURL: cfg.RedirectURL, RedirectTo: cfg.RedirectTo, Options: cfg.Options}
	b := app.OIDC(preset.Provider{Name: "microsoft", Env: "MICROSOFT", Scopes: scopes}, oc)
	if cfg.Graph {
		b.IdentityGetter(graphIdentity)
	} else {
		b.IdentityGetter(func(c *gin.Context, _ *blueprint.Client) (*blueprint.Identity, error) {
			claims, err := b.Claims(c)
			if err != nil {
				return nil, err
			}
			return IdentityFromClaims(claims), nil
		})
	}
	return b
}

// IdentityFromClaims maps an Entra ID id_token: ID is the object ID (oid),
// stable across the apps of a tenant, where sub is per app (else sub);
// Username is preferred_username (the sign-in name, mutable); Email is the
// email claim, which Entra does not verify: EmailVerified is set only when
// the optional claim xms_edov (email domain owner verified) is true.
func IdentityFromClaims(claims map[string]any) *blueprint.Identity {
	id := oidc.IdentityFromClaims(claims)
	if oid, _ := claims["oid"].(string); oid != "" {
		id.ID = oid
	}
	id.EmailVerified = false
	switch v := claims["xms_edov"].(type) {
	case bool:
		id.EmailVerified = v && id.Email != ""
	case string:
		id.EmailVerified = (v == "true" || v == "1") && id.Email != ""
	}
	return id
}

// graphIdentity maps GET /me of Microsoft Graph: ID the object id,
// Username the userPrincipalName, Name the displayName, Email mail (not
// verified by Entra, so EmailVerified stays false).
func graphIdentity(_ *gin.Context, cl *blueprint.Client) (*blueprint.Identity, error) {
	var raw map[string]any
	if err := cl.GetJSON("me", &raw); err != nil {
		return nil, err
	}
	str := func(k string) string { v, _ := raw[k].(string); return v }
	if str("id") == "" {
		return nil, errors.New("gindance/microsoft: Graph /me has no id")
	}
	return &blueprint.Identity{ID: str("id"), Username: str("userPrincipalName"), Name: str("displayName"), Email: str("mail"), Raw: raw}, nil
}
