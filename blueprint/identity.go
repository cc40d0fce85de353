package blueprint

import (
	"fmt"

	"github.com/gin-gonic/gin"
)

// Identity is the logged-in user as the provider knows them, mapped to common
// fields by the blueprint's identity function. Raw holds the provider's
// answer as decoded.
type Identity struct {
	ID, Username, Name, Email string
	EmailVerified             bool
	AvatarURL                 string
	Raw                       map[string]any
}

// IdentityGetter sets how the blueprint finds out who the user is, usually
// a call to the provider's user endpoint through cl. Provider packages set
// it; a later call replaces it, and nil leaves the blueprint without one
// (Identity then fails with ErrConfig).
func (b *Blueprint) IdentityGetter(fn func(c *gin.Context, cl *Client) (*Identity, error)) {
	b.identity = fn
}

// Identity returns the logged-in user's identity, fetched once per request.
// It fails with ErrNotAuthorized when nobody is logged in.
func (b *Blueprint) Identity(c *gin.Context) (*Identity, error) {
	st := b.state(c)
	if st.identity != nil {
		return st.identity, nil
	}
	if b.identity == nil {
		return nil, fmt.Errorf("%w: %s has no identity function (see IdentityGetter)", ErrConfig, b.name)
	}
	tok, err := b.Token(c)
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, ErrNotAuthorized
	}
	id, err := b.identity(c, b.Client(c))
	if err != nil {
		return nil, err
	}
	st.identity = id
	return id, nil
}
