package blueprint

import (
	"cmp"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// LoginCookieKeySize is the length of Options.LoginCookieKey, and of the
// key derived when it is nil: an AES-256 key.
const LoginCookieKeySize = 32

// loginCookiePrefix starts the name of every pending-login cookie; the
// blueprint's name and the login's key follow, dot-separated. Over HTTPS the
// name also carries the __Secure- prefix, which browsers accept only from a
// secure origin with the Secure attribute.
const loginCookiePrefix = "gindance-login."

// maxLoginCookiesRead bounds how many of a blueprint's pending-login
// cookies one login start opens.
const maxLoginCookiesRead = 32

// maxPendingCookieBytes bounds what one blueprint's pending-login cookies
// add to a request's Cookie header together (their name=value pairs): five
// logins with long next paths would otherwise pass the 8 KiB header limit
// of common proxies and servers, which then refuse the login's requests.
// 3 KiB leaves room for a session cookie, which goes to the login path
// too and may be 4 KiB. The oldest logins beyond it are dropped, as beyond
// MaxPendingLogins.
const maxPendingCookieBytes = 3072

// cookieLogins keeps each pending login in a cookie of its own, sealed with
// AES-256-GCM under the blueprint's LoginCookieKey or the key derived from
// its client's secret (deriveLoginKey), with the blueprint's name
// and the login's key as associated data. The session is not read or written
// to start a login, nor to find it at the callback (only to store the token
// there, with SessionStorage), and logins started at once in several tabs
// cannot overwrite each other (each sets its own cookie). The cookies are
// HttpOnly and SameSite=Lax, scoped to the blueprint's path, and expire with
// the login (LoginTTL).
type cookieLogins struct {
	b    *Blueprint
	aead func() cipher.AEAD // the sealing key's AES-GCM, made at first use when the key is derived

	// Per blueprint, made once: the cookie name prefixes (plain and
	// __Secure-), the start of the associated data, and the Max-Age.
	plain, secure string
	aadPrefix     string
	maxAge        int
}

// newCookieLogins seals b's pending logins under key, an explicit
// LoginCookieKey.
func newCookieLogins(b *Blueprint, key []byte) (*cookieLogins, error) {
	if len(key) != LoginCookieKeySize {
		return nil, fmt.Errorf("%w: %s: LoginCookieKey must be %d bytes, not %d", ErrConfig, b.name, LoginCookieKeySize, len(key))
	}
	aead := newGCM(key)
	return cookieLoginsFor(b, func() cipher.AEAD { return aead }), nil
}

// newDerivedCookieLogins seals b's pending logins under the key derive
// returns (a 32-byte key, slow to derive), derived once at the first
// login start or callback that needs it, not when the blueprint is made:
// an app, or a test, that builds blueprints pays nothing until one is used.
func newDerivedCookieLogins(b *Blueprint, derive func() []byte) *cookieLogins {
	return cookieLoginsFor(b, sync.OnceValue(func() cipher.AEAD { return newGCM(derive()) }))
}

func cookieLoginsFor(b *Blueprint, aead func() cipher.AEAD) *cookieLogins {
	return &cookieLogins{b: b, aead: aead,
		plain: loginCookiePrefix + b.name + ".", secure: "__Secure-" + loginCookiePrefix + b.name + ".",
		aadPrefix: "gindance-login\x00" + b.name + "\x00",
		maxAge:    int((b.set.loginTTL + time.Second - 1) / time.Second), // at least 1: 0 would mean "until the browser closes"
	}
}

// newGCM is AES-256-GCM under key, which is LoginCookieKeySize bytes (the
// callers check it), for which neither constructor can fail.
func newGCM(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("gindance: " + err.Error())
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("gindance: " + err.Error())
	}
	return aead
}

// validName reports whether s is a blueprint name: letters, digits, '-'
// and '_', so that it goes into a route, a session key and a cookie name as
// it is and cannot be confused with the separators around it.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// loginCookiePath is the path pending-login cookies are scoped to: the
// blueprint's login path as the browser sees it, which covers the login
// route (where older logins are counted) and the callback, and nothing else
// of the app. With a RedirectURL it is that URL's path less "/authorized"
// (the app may be mounted elsewhere behind a proxy), else "/".
func loginCookiePath(redirectURL, loginPath string) string {
	if redirectURL == "" {
		return loginPath
	}
	u, err := url.Parse(redirectURL)
	if err != nil {
		return "/"
	}
	if p, ok := strings.CutSuffix(u.Path, "/authorized"); ok && p != "" {
		return p
	}
	return "/"
}

// prefix is the start of this blueprint's cookie names; secure: over HTTPS.
func (s *cookieLogins) prefix(secure bool) string {
	if secure {
		return s.secure
	}
	return s.plain
}

// aad binds a sealed login to this blueprint and to its key, so that a
// cookie cannot be moved to another name.
func (s *cookieLogins) aad(key string) []byte {
	return []byte(s.aadPrefix + key) // one allocation
}

func (s *cookieLogins) seal(tx *transaction) string {
	aead := s.aead()
	n := aead.NonceSize()
	buf := make([]byte, n, n+txPayloadSize(tx)+aead.Overhead())
	_, _ = rand.Read(buf) // crypto/rand.Read never fails (Go 1.24+)
	plain := appendTxPayload(buf[n:], tx)
	return base64.RawURLEncoding.EncodeToString(aead.Seal(buf, buf, plain, s.aad(tx.Key))) // in place
}

// open reads the login sealed in a cookie value for key; false when it does
// not open (altered, sealed under another key or name) or is not one.
func (s *cookieLogins) open(key, value string) (transaction, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	aead := s.aead()
	n := aead.NonceSize()
	if err != nil || len(raw) < n+aead.Overhead() {
		return transaction{}, false
	}
	plain, err := aead.Open(raw[n:n], raw[:n], raw[n:], s.aad(key))
	if err != nil {
		return transaction{}, false
	}
	tx, ok := parseTxPayload(plain)
	if !ok || subtle.ConstantTimeCompare([]byte(tx.Key), []byte(key)) != 1 {
		return transaction{}, false
	}
	return tx, true
}

// txPayloadVersion starts a sealed pending login, so that the format can
// change without old cookies being misread.
const txPayloadVersion = 2

// The sealed payload is compact and cheap to read (no reflection): the
// version byte, Issued as a varint, then each string field as a uvarint
// length and its bytes, in a fixed order. It is only ever parsed after the
// AEAD has authenticated it.

// txFields are tx's string fields in payload order.
func txFields(tx *transaction) [8]*string {
	return [8]*string{&tx.Key, &tx.Verifier, &tx.Nonce, &tx.Issuer, &tx.Redirect, &tx.Next, &tx.Secret, &tx.Mode}
}

// txPayloadSize bounds the length of tx's payload.
func txPayloadSize(tx *transaction) int {
	n := 1 + binary.MaxVarintLen64
	for _, f := range txFields(tx) {
		n += binary.MaxVarintLen64 + len(*f)
	}
	return n
}

// appendTxPayload appends tx's payload to b.
func appendTxPayload(b []byte, tx *transaction) []byte {
	b = append(b, txPayloadVersion)
	b = binary.AppendVarint(b, tx.Issued)
	for _, f := range txFields(tx) {
		b = binary.AppendUvarint(b, uint64(len(*f)))
		b = append(b, *f...)
	}
	return b
}

// parseTxPayload reads a payload written by appendTxPayload; false for
// anything else.
func parseTxPayload(b []byte) (transaction, bool) {
	var tx transaction
	if len(b) == 0 || b[0] != txPayloadVersion {
		return tx, false
	}
	all := string(b) // one allocation; the fields are substrings of it
	i := 1
	var scratch [binary.MaxVarintLen64]byte // varints must be minimal: one encoding per login
	issued, n := binary.Varint(b[i:])
	if n <= 0 || n != len(binary.AppendVarint(scratch[:0], issued)) {
		return tx, false
	}
	tx.Issued, i = issued, i+n
	for _, f := range txFields(&tx) {
		l, n := binary.Uvarint(b[i:])
		if n <= 0 || n != len(binary.AppendUvarint(scratch[:0], l)) || l > uint64(len(b)-i-n) {
			return transaction{}, false
		}
		i += n
		*f, i = all[i:i+int(l)], i+int(l)
	}
	if i != len(b) {
		return transaction{}, false
	}
	return tx, true
}

func (s *cookieLogins) cookie(name, value string, maxAge int, secure bool) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: s.b.cookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
}

// expire tells the browser to drop the cookie.
func (s *cookieLogins) expire(c *gin.Context, name string, secure bool) {
	http.SetCookie(c.Writer, s.cookie(name, "", -1, secure))
}

// add sets the new login's cookie. The logins the browser already has
// pending for this blueprint are opened: those that are expired or do not
// open are dropped, and the oldest beyond MaxPendingLogins or
// maxPendingCookieBytes are evicted. When the new login cannot be kept,
// nothing is dropped either.
func (s *cookieLogins) add(c *gin.Context, tx transaction) error {
	secure := isHTTPS(tx.Redirect)
	prefix := s.prefix(secure)
	now := s.b.set.now()
	type held struct {
		name   string
		issued int64
		size   int // of name=value in the Cookie header
	}
	var pending []held
	var drop []string // cookies to expire
	seen := 0
	for _, ck := range c.Request.Cookies() {
		key, ok := strings.CutPrefix(ck.Name, prefix)
		if !ok || len(key) != hashKeyLen || strings.Contains(key, ".") {
			continue
		}
		// A Cookie header stuffed with thousands of look-alikes gets a
		// bounded amount of work and of Set-Cookie lines back.
		if seen++; seen > maxLoginCookiesRead {
			break
		}
		t, ok := s.open(key, ck.Value)
		if !ok || s.b.txExpired(t, now) {
			drop = append(drop, ck.Name)
			continue
		}
		pending = append(pending, held{ck.Name, t.Issued, len(ck.Name) + 1 + len(ck.Value)})
	}
	slices.SortStableFunc(pending, func(a, b held) int { return cmp.Compare(a.issued, b.issued) })
	ck := s.cookie(prefix+tx.Key, s.seal(&tx), s.maxAge, secure)
	line := ck.String()
	if len(line) > maxCookieBytes {
		return ErrLoginTooLarge
	}
	total := len(ck.Name) + 1 + len(ck.Value)
	for _, p := range pending {
		total += p.size
	}
	for len(pending) > 0 && (len(pending) >= s.b.set.maxPending || total > maxPendingCookieBytes) {
		drop = append(drop, pending[0].name)
		total -= pending[0].size
		pending = pending[1:]
	}
	for _, name := range drop {
		s.expire(c, name, secure)
	}
	c.Writer.Header().Add("Set-Cookie", line)
	return nil
}

// take reads the login's cookie and tells the browser to drop it, before
// anything else can fail: single use. A missing cookie, one that does not
// open with the key, or one sealed for another login is ErrStateMismatch.
func (s *cookieLogins) take(c *gin.Context, key string) (transaction, error) {
	secure := s.b.callbackOverHTTPS(c)
	name := s.prefix(secure) + key
	ck, err := c.Request.Cookie(name)
	if err != nil {
		return transaction{}, ErrStateMismatch
	}
	s.expire(c, name, secure)
	t, ok := s.open(key, ck.Value)
	if !ok {
		return transaction{}, ErrStateMismatch
	}
	if s.b.txExpired(t, s.b.set.now()) {
		return transaction{}, ErrStateExpired
	}
	return t, nil
}

// flush has nothing to do: take already expired the cookie.
func (s *cookieLogins) flush(*gin.Context) error { return nil }
