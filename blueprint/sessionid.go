package blueprint

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	gsessions "github.com/gorilla/sessions"
)

// gorillaSession is what gin-contrib/sessions' session value offers beside
// its interface: the gorilla/sessions session it wraps, which holds the id a
// server-side store (redis, postgres, memstore, ...) keys the session by.
type gorillaSession interface {
	Session() *gsessions.Session
}

// rotateSessionID gives the request's session a new id before a login
// stores anything in it, so that an id the browser had before the login (one
// an attacker planted, CWE-384, OWASP's session fixation) does not hold the
// logged-in session. The values move to the new id; the old id's data is
// deleted from the store. Sessions without an id (cookie stores keep the
// data in the cookie itself) and requests without the sessions middleware
// are left alone.
func (b *Blueprint) rotateSessionID(c *gin.Context) error {
	if b.set.keepSessionID {
		return nil
	}
	sess, err := sessionFor(c, b.set.sessionName)
	if errors.Is(err, ErrNoSession) {
		return nil
	}
	if err != nil {
		return err
	}
	g, ok := sess.(gorillaSession)
	if !ok {
		return nil
	}
	gs := g.Session()
	if gs == nil || gs.ID == "" || gs.Store() == nil {
		return nil
	}
	values := make(map[any]any, len(gs.Values))
	for k, v := range gs.Values {
		values[k] = v
	}
	opts := *gs.Options
	gone := opts
	gone.MaxAge = -1
	gs.Options = &gone
	// Stores delete a session saved with a negative MaxAge; its expiring
	// cookie is not sent, the new one below replaces it.
	_ = gs.Store().Save(c.Request, discardHeaders{}, gs) // if this fails the old id's data expires on its own
	gs.Options = &opts
	gs.Values = values
	gs.ID, gs.IsNew = "", true
	if err := gs.Save(c.Request, c.Writer); err != nil {
		return fmt.Errorf("gindance: saving the session under a new id: %w", err)
	}
	return nil
}

// discardHeaders is a ResponseWriter whose output goes nowhere.
type discardHeaders struct{}

func (discardHeaders) Header() http.Header         { return http.Header{} }
func (discardHeaders) Write(p []byte) (int, error) { return len(p), nil }
func (discardHeaders) WriteHeader(int)             {}
