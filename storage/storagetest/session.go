package storagetest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/gindance/gindance/blueprint"
)

// withSession returns a sample token whose id_token names iss, sub and
// sid (signature aside: stores decode, they do not verify).
func withSession(tag, iss, sub, sid string) *blueprint.Token {
	tok := sample(tag)
	claims := map[string]string{"iss": iss, "sub": sub}
	if sid != "" {
		claims["sid"] = sid
	}
	payload, _ := json.Marshal(claims)
	tok.IDToken = "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(payload) + ".c2ln"
	return tok
}

// RunForgetSession runs the suite's ForgetSession test (part of Run) on
// its own, against a store from newStore.
func RunForgetSession(t *testing.T, newStore NewStore) { testForgetSession(t, newStore(t)) }

// OpenID Connect Back-Channel Logout 1.0 §2.6: a store forgets exactly
// the tokens of the logged-out session (by sid) or subject (by sub), of
// this blueprint and issuer, and not a token saved again since for another
// session.
func testForgetSession(t *testing.T, s blueprint.Storage) {
	sf, ok := s.(blueprint.SessionForgetter)
	if !ok {
		t.Skip("the store is not a blueprint.SessionForgetter")
	}
	const iss, other = "https://op.example", "https://other-op.example"
	ctx := context.Background()
	mustSet(t, s, "ann", "idp", withSession("a", iss, "sub-ann", "s1"))
	mustSet(t, s, "ann-laptop", "idp", withSession("b", iss, "sub-ann", "s2"))
	mustSet(t, s, "ann", "idp2", withSession("c", iss, "sub-ann", "s1"))
	mustSet(t, s, "bob", "idp", withSession("d", other, "sub-bob", "s1"))
	mustSet(t, s, "cid", "idp", withSession("e", iss, "sub-cid", "s3"))
	mustSet(t, s, "dan", "idp", withSession("f", iss, "sub-dan", ""))
	forget := func(sid, sub string) int {
		t.Helper()
		n, err := sf.ForgetSession(ctx, "idp", iss, sid, sub)
		if err != nil {
			t.Fatalf("ForgetSession(%q, %q): %v", sid, sub, err)
		}
		return n
	}
	if n := forget("s1", "sub-ann"); n != 1 || mustGet(t, s, "ann", "idp") != nil {
		t.Fatalf("by sid: %d forgotten, ann's token %v", n, mustGet(t, s, "ann", "idp") != nil)
	}
	for _, k := range [][2]string{{"ann-laptop", "idp"}, {"ann", "idp2"}, {"bob", "idp"}, {"cid", "idp"}} {
		if mustGet(t, s, k[0], k[1]) == nil {
			t.Fatalf("%s's %s token was forgotten with another session, blueprint or issuer", k[0], k[1])
		}
	}
	if n := forget("", "sub-ann"); n != 1 || mustGet(t, s, "ann-laptop", "idp") != nil {
		t.Fatalf("by sub: %d forgotten", n)
	}
	if n := forget("", "sub-dan"); n != 1 || mustGet(t, s, "dan", "idp") != nil {
		t.Fatalf("by sub without sid: %d forgotten", n)
	}
	mustSet(t, s, "cid", "idp", withSession("g", iss, "sub-cid", "s4")) // logged in again
	if n := forget("s3", ""); n != 0 || mustGet(t, s, "cid", "idp") == nil {
		t.Fatalf("a token of a later session was forgotten for the old one (%d)", n)
	}
	if n := forget("nobody", ""); n != 0 {
		t.Fatalf("an unknown session forgot %d tokens", n)
	}
}
