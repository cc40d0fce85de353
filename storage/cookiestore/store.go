package cookiestore

import (
	"github.com/gin-contrib/sessions"
	"github.com/gorilla/securecookie"
	gsessions "github.com/gorilla/sessions"
)

// NewStore returns a cookie session store for sessions.Sessions. It takes
// key pairs as gin-contrib's cookie.NewStore does: in each pair the first
// key authenticates (32 or 64 bytes recommended) and the second, optional
// in the last pair, encrypts (16, 24 or 32 bytes: AES-128, -192 or -256);
// later pairs only decode, for key rotation. Its default options are
// gorilla's (Path "/", 30 days, Secure, SameSite=None); set the app's with
// Options. Every codec serialises with Serializer.
func NewStore(keyPairs ...[]byte) sessions.Store {
	cs := gsessions.NewCookieStore(keyPairs...)
	for _, codec := range cs.Codecs {
		if sc, ok := codec.(*securecookie.SecureCookie); ok {
			sc.SetSerializer(Serializer{})
		}
	}
	return &store{cs}
}

// store is gorilla's CookieStore with gin-contrib's Options method, as
// gin-contrib's cookie store is.
type store struct {
	*gsessions.CookieStore
}

// Options sets the options of the cookies the store writes from now on.
func (s *store) Options(options sessions.Options) {
	s.CookieStore.Options = options.ToGorillaOptions()
}
