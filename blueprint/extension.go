package blueprint

// Token returns the token the client signs with, as Blueprint.Token does
// for the client's request: identity functions use it to see the granted
// scopes.
func (cl *Client) Token() (*Token, error) { return cl.b.Token(cl.c) }
