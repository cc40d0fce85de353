package blueprint

import (
	"fmt"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/securecookie"
	gsessions "github.com/gorilla/sessions"
)

// checkSessionKeys reports a session store whose keys cannot seal a cookie,
// typically an encryption key of 64 bytes: a hex string from
// openssl rand -hex 32 passed without decoding. gorilla/securecookie takes
// such a key at cookie.NewStore and fails only at the first save, which is
// the end of a login, after the user went through the provider; login start
// checks it instead. gorilla's cookie and filesystem stores are checked;
// other stores, and requests without the sessions middleware (reported where
// the session is needed), are not.
func (b *Blueprint) checkSessionKeys(c *gin.Context) error {
	sess, err := sessionFor(c, b.set.sessionName)
	if err != nil {
		return nil
	}
	g, ok := sess.(gorillaSession)
	if !ok {
		return nil
	}
	gs := g.Session()
	if gs == nil {
		return nil
	}
	var codecs []securecookie.Codec
	switch st := gs.Store().(type) {
	case *gsessions.CookieStore:
		codecs = st.Codecs
	case *gsessions.FilesystemStore:
		codecs = st.Codecs
	default:
		return nil
	}
	if _, err := securecookie.EncodeMulti("gindance-key-check", "", codecs...); err != nil {
		return fmt.Errorf("%w: the session store's keys cannot seal a cookie (%v): its encryption key "+
			"(the second key of cookie.NewStore) must be 16, 24 or 32 bytes, its hash key (the first) 32 or 64 bytes; "+
			"make each with openssl rand -hex 32 and hex-decode it", ErrConfig, err)
	}
	return nil
}
