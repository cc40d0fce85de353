package storage

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"

	"github.com/gindance/gindance/blueprint"
)

// SessionRefs are what a token is indexed by for back-channel logout:
// hashes of its id_token's issuer with its sid and with its sub. Hashes,
// so that no identifier of the user is stored in the clear next to a
// sealed token, and of a fixed length (64 hex digits); "" when the
// id_token has no such claim.
type SessionRefs struct {
	SID, Sub string
}

// RefsOf returns the session references of tok (from its id_token).
func RefsOf(tok *blueprint.Token) SessionRefs {
	iss, sub, sid := tok.IDTokenSession()
	var r SessionRefs
	if iss == "" {
		return r
	}
	if sid != "" {
		r.SID = SIDRef(iss, sid)
	}
	if sub != "" {
		r.Sub = SubRef(iss, sub)
	}
	return r
}

// SIDRef is the reference of the session sid at issuer.
func SIDRef(issuer, sid string) string { return ref("sid", issuer, sid) }

// SubRef is the reference of the subject sub at issuer.
func SubRef(issuer, sub string) string { return ref("sub", issuer, sub) }

func ref(kind, issuer, v string) string {
	h := sha256.New()
	for _, s := range []string{"gindance-session", kind, issuer, v} {
		h.Write(binary.AppendUvarint(nil, uint64(len(s))))
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SessionBackend is implemented by backends that index each saved token by
// RefsOf(tok) (Save's tok argument), so that back-channel logout finds it.
// RemoveSession deletes every token of provider whose SID or Sub reference
// is ref and returns how many it deleted; a token saved again since with
// other references is not deleted.
type SessionBackend interface {
	RemoveSession(ctx context.Context, provider, ref string) (int, error)
}

// ForgetSession deletes the tokens of the blueprint name issued in the
// OpenID Connect session sid at issuer, or, when sid is empty, every token
// of the subject sub there (OpenID Connect Back-Channel Logout 1.0 §2.6).
// It implements blueprint.SessionForgetter.
func (s *Store) ForgetSession(ctx context.Context, name, issuer, sid, sub string) (int, error) {
	sb, ok := s.backend.(SessionBackend)
	if !ok {
		return 0, ErrNoSessionIndex
	}
	r := SubRef(issuer, sub)
	if sid != "" {
		r = SIDRef(issuer, sid)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	n, err := sb.RemoveSession(ctx, name, r)
	return n, Unavailable("forget session", err)
}

var _ blueprint.SessionForgetter = (*Store)(nil)
