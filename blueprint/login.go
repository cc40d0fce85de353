package blueprint

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// handleLogin serves GET /<name>: it runs the BeforeLogin hooks, keeps a new
// login transaction where pending logins wait (a sealed cookie, or the
// session) and redirects to the provider.
func (b *Blueprint) handleLogin(c *gin.Context) {
	noStore(c)
	for _, fn := range b.beforeLogin {
		fn(c)
		if c.IsAborted() || c.Writer.Written() {
			return
		}
	}
	if err := b.checkSessionKeys(c); err != nil {
		b.fail(c, err)
		return
	}
	tx := transaction{Issued: b.set.now().Unix(), Redirect: b.redirectURL(c)}
	if next, ok := SafeNext(c.Query("next")); ok {
		tx.Next = next
	}
	target, err := b.proto.begin(c, &tx)
	if err != nil {
		b.fail(c, err)
		return
	}
	if err := b.addTx(c, tx); err != nil {
		b.fail(c, err)
		return
	}
	c.Redirect(http.StatusFound, target)
}

// noStore marks a response of the login flow as not cacheable and keeps the
// URL (which may carry a code or state) out of Referer headers.
func noStore(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Referrer-Policy", "no-referrer")
}

// redirectURL is the callback URL sent to the provider: RedirectURL when set,
// otherwise built from the request. X-Forwarded-Proto and X-Forwarded-Host are
// believed only when Gin trusts the proxy the request came through (see
// gin.Engine.SetTrustedProxies).
func (b *Blueprint) redirectURL(c *gin.Context) string {
	if b.set.redirectURL != "" {
		return b.set.redirectURL
	}
	scheme, host := requestOrigin(c)
	return scheme + "://" + host + b.callbackPath
}

// callbackOverHTTPS reports whether redirectURL(c) is an https URL, without
// building it.
func (b *Blueprint) callbackOverHTTPS(c *gin.Context) bool {
	if b.set.redirectURL != "" {
		return isHTTPS(b.set.redirectURL)
	}
	scheme, _ := requestOrigin(c)
	return scheme == "https"
}

// requestOrigin is the scheme and host the browser used for the request.
func requestOrigin(c *gin.Context) (scheme, host string) {
	scheme, host = "http", c.Request.Host
	if c.Request.TLS != nil {
		scheme = "https"
	}
	if behindTrustedProxy(c) {
		if p := firstValue(c.GetHeader("X-Forwarded-Proto")); p == "https" || p == "http" {
			scheme = p
		}
		if h := firstValue(c.GetHeader("X-Forwarded-Host")); h != "" {
			host = h
		}
	}
	return scheme, host
}

// probeIP is a documentation address (RFC 5737) used to ask Gin whether it
// would believe forwarding headers from this request's peer.
const probeIP = "192.0.2.1"

// behindTrustedProxy reports whether Gin trusts the request's peer as a
// proxy: Gin's ClientIP reads a forwarded address only from trusted proxies.
func behindTrustedProxy(c *gin.Context) bool {
	if c.GetHeader("X-Forwarded-Proto") == "" && c.GetHeader("X-Forwarded-Host") == "" {
		return false
	}
	probe := c.Copy()
	r := probe.Request.Clone(probe.Request.Context())
	r.Header.Set("X-Forwarded-For", probeIP)
	r.Header.Set("X-Real-IP", probeIP)
	probe.Request = r
	return probe.ClientIP() == probeIP
}

func firstValue(h string) string {
	v, _, _ := strings.Cut(h, ",")
	return strings.ToLower(strings.TrimSpace(v))
}

// isHTTPS reports whether the absolute URL u has the https scheme, in any
// case (RFC 3986 §3.1: schemes are case-insensitive).
func isHTTPS(u string) bool {
	const scheme = "https://"
	return len(u) >= len(scheme) && strings.EqualFold(u[:len(scheme)], scheme)
}
