package oidc

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// authContextParams adds max_age, acr_values and, for an essential acr,
// the claims request (OpenID Connect Core §3.1.2.1, §5.5.1.1) to the
// configured authorization parameters.
func authContextParams(cfg Config) map[string]string {
	out := maps.Clone(cfg.AuthParams)
	if out == nil && (cfg.MaxAge > 0 || len(cfg.ACRValues) > 0) {
		out = map[string]string{}
	}
	if cfg.MaxAge > 0 {
		out["max_age"] = strconv.FormatInt(int64(cfg.MaxAge/time.Second), 10)
	}
	if len(cfg.ACRValues) > 0 {
		out["acr_values"] = strings.Join(cfg.ACRValues, " ")
		if cfg.RequireACR {
			claims, _ := json.Marshal(map[string]any{"id_token": map[string]any{
				"acr": map[string]any{"essential": true, "values": cfg.ACRValues}}})
			out["claims"] = string(claims)
		}
	}
	return out
}

// checkAuthContext refuses a login whose id_token does not honour the
// requested max_age (§3.1.3.7 item 13: auth_time present and recent
// enough) or essential acr (item 12).
func (p *provider) checkAuthContext(claims map[string]any, now time.Time) error {
	if p.cfg.MaxAge > 0 {
		at, ok := claims["auth_time"].(float64)
		if !ok || time.Unix(int64(at), 0).Before(now.Add(-p.cfg.MaxAge-p.skew())) {
			return ErrAuthTime
		}
	}
	if p.cfg.RequireACR {
		acr, _ := claims["acr"].(string)
		if !slices.Contains(p.cfg.ACRValues, acr) {
			return ErrACR
		}
	}
	return nil
}
