package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gindance/gindance/blueprint"
)

// maxDiscovery bounds what is read of a discovery document.
const maxDiscovery = 1 << 20

// metadata is the part of the discovery document used here.
type metadata struct {
	Issuer        string   `json:"issuer"`
	AuthURL       string   `json:"authorization_endpoint"`
	TokenURL      string   `json:"token_endpoint"`
	UserInfoURL   string   `json:"userinfo_endpoint"`
	JWKSURI       string   `json:"jwks_uri"`
	EndSession    string   `json:"end_session_endpoint"`
	RevocationURL string   `json:"revocation_endpoint"`
	Algs          []string `json:"id_token_signing_alg_values_supported"`
	IssParameter  bool     `json:"authorization_response_iss_parameter_supported"`
	PARURL        string   `json:"pushed_authorization_request_endpoint"`
	RequirePAR    bool     `json:"require_pushed_authorization_requests"`
}

// discovered is the metadata with what is built from it.
type discovered struct {
	meta metadata
	keys *keySet // shared while jwks_uri stays the same, so its key cache survives refetches
	algs []string
}

// discovery caches the metadata for DiscoveryTTL.
type discovery struct {
	timeout time.Duration
	mu      sync.Mutex
	cur     *discovered
	fetched time.Time
}

// asymmetric are the JWS algorithms an id_token may be signed with here:
// never none, never HS* (a shared-secret MAC a public key could forge).
var asymmetric = map[string]bool{
	"RS256": true, "RS384": true, "RS512": true, "PS256": true, "PS384": true, "PS512": true,
	"ES256": true, "ES384": true, "ES512": true, "EdDSA": true,
}

// discovered returns the cached metadata, fetching it when missing or
// older than DiscoveryTTL. A failed refetch keeps the old metadata.
func (p *provider) discovered(ctx context.Context) (*discovered, error) {
	d := &p.disc
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur != nil && time.Since(d.fetched) < p.cfg.DiscoveryTTL {
		return d.cur, nil
	}
	next, err := p.fetchMetadata(ctx)
	if err != nil {
		if d.cur != nil && !errors.Is(err, blueprint.ErrConfig) {
			d.fetched = time.Now() // try again after another TTL
			return d.cur, nil
		}
		return nil, err
	}
	if d.cur != nil && d.cur.meta.JWKSURI == next.meta.JWKSURI {
		next.keys = d.cur.keys
	} else {
		next.keys = newKeySet(p.hc, next.meta.JWKSURI, &p.jwksRefetch, p.disc.timeout)
	}
	d.cur, d.fetched = next, time.Now()
	return next, nil
}

func (p *provider) fetchMetadata(ctx context.Context) (*discovered, error) {
	ctx, cancel := context.WithTimeout(ctx, p.disc.timeout)
	defer cancel()
	fail := func(status int, err error) error {
		return &blueprint.ProviderError{Provider: p.name, Op: "discovery", StatusCode: status, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.cfg.DiscoveryURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := p.hc.Do(req)
	if err != nil {
		return nil, fail(0, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fail(resp.StatusCode, errors.New("unexpected status"))
	}
	var m metadata
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDiscovery)).Decode(&m); err != nil {
		return nil, fail(resp.StatusCode, fmt.Errorf("decoding the discovery document: %w", err))
	}
	switch {
	case m.Issuer != p.discoveryIssuer():
		return nil, p.issuerMismatch(m.Issuer)
	case m.AuthURL == "" || m.TokenURL == "" || m.JWKSURI == "":
		return nil, fmt.Errorf("%w: %s: %s lacks authorization_endpoint, token_endpoint or jwks_uri", ErrDiscovery, p.name, p.cfg.DiscoveryURL)
	}
	return &discovered{meta: m, algs: p.allowedAlgs(m.Algs)}, nil
}

// issuerMismatch is the error for a discovery document naming issuer got.
// The comparison stays exact (OpenID Connect Discovery §4.3: an issuer is
// an identifier, and "https://a/" is not "https://a"), but a difference of
// only a trailing slash, the usual mistake, is named with the string to
// configure.
func (p *provider) issuerMismatch(got string) error {
	err := fmt.Errorf("%w: %s: %s names issuer %q but the configured Issuer (or IssuerTemplate) is %q; they must be equal, character for character",
		ErrDiscovery, p.name, p.cfg.DiscoveryURL, got, p.discoveryIssuer())
	if got != "" && strings.TrimSuffix(got, "/") == strings.TrimSuffix(p.cfg.Issuer, "/") {
		err = fmt.Errorf("%w (they differ only in the trailing slash: set Issuer: %q)", err, got)
	}
	return err
}

// Discover checks b's configuration (Validate) and fetches its discovery
// document now, so that an app finds a wrong Issuer, an unreachable
// provider or a document that names another issuer at startup rather than
// at the first login:
//
//	b := oidc.New("corp", oidc.Config{Issuer: ..., ClientID: ..., ClientSecret: ...})
//	if err := b.Discover(ctx); err != nil {
//		log.Fatal(err)
//	}
//
// The metadata fetched is cached as a login's would be. An issuer
// mismatch wraps ErrDiscovery (and so blueprint.ErrConfig); an unreachable
// or failing provider is a *blueprint.ProviderError. b must be made by New
// (or a preset built on it, such as google).
func (b *Blueprint) Discover(ctx context.Context) error {
	if err := b.Validate(); err != nil {
		return err
	}
	_, err := b.p.discovered(ctx)
	return err
}

// allowedAlgs is the configured or advertised algorithms, asymmetric only;
// RS256 (OpenID Connect Core §15.1) when nothing is left.
func (p *provider) allowedAlgs(advertised []string) []string {
	src := advertised
	if len(p.cfg.SigningAlgs) > 0 {
		src = p.cfg.SigningAlgs
	}
	var out []string
	for _, a := range src {
		if asymmetric[a] {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		out = []string{"RS256"}
	}
	return out
}

// endpoints is the OAuth2Hooks.Endpoints hook.
func (p *provider) endpoints(ctx context.Context) (blueprint.Endpoints, error) {
	d, err := p.discovered(ctx)
	if err != nil {
		return blueprint.Endpoints{}, err
	}
	ep := blueprint.Endpoints{AuthURL: d.meta.AuthURL, TokenURL: d.meta.TokenURL, RevocationURL: d.meta.RevocationURL,
		Issuer: p.cfg.Issuer, RequireIssuer: d.meta.IssParameter,
		PARURL: d.meta.PARURL, RequirePAR: d.meta.RequirePAR}
	if p.templated() {
		ep.Issuer, ep.MatchIssuer = p.cfg.IssuerTemplate, p.matchIssuer
	}
	return ep, nil
}
