package gintest

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// MaxPageBytes bounds the body a Browser reads from one response.
const MaxPageBytes = 1 << 20

// maxRedirects bounds the redirects a Browser follows for one request.
const maxRedirects = 20

// maxAutoSubmits bounds the auto-submitting forms a Browser submits for
// one request.
const maxAutoSubmits = 5

// ErrPageTooLarge is returned by Browser when a body exceeds MaxPageBytes.
var ErrPageTooLarge = errors.New("gintest: page body larger than MaxPageBytes")

// Browser is a minimal browser for tests: it keeps cookies, follows
// redirects across hosts, and records where it went. It does not run
// scripts or render anything, with one exception: it submits an
// auto-submitting form (a provider's form_post response, a blueprint's
// relay page; see Page.AutoSubmitForm) as a browser running its script
// would, unless it is a NoFollow copy.
type Browser struct {
	// Client has a cookie jar and follows redirects across hosts. It may
	// be used directly, or replaced before first use.
	Client *http.Client

	noFollow bool
}

// Page is the response a Browser ended on.
type Page struct {
	URL        *url.URL    // the URL of the final response
	StatusCode int         // its HTTP status
	Header     http.Header // its headers
	Body       string      // its body, at most MaxPageBytes
	Hops       []*url.URL  // every URL requested, in order, ending with URL
}

// NewBrowser returns a Browser with an empty cookie jar.
func NewBrowser() *Browser {
	jar, _ := cookiejar.New(nil) // never fails with nil options
	return &Browser{Client: &http.Client{Jar: jar}}
}

// NoFollow returns a copy of b sharing its client and cookie jar that
// stops at the first redirect, so the Page holds the redirect response
// and its Location header, and does not submit auto-submitting forms.
func (b *Browser) NoFollow() *Browser {
	return &Browser{Client: b.Client, noFollow: true}
}

// Get loads u, following redirects unless b is a NoFollow copy.
func (b *Browser) Get(u string) (*Page, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return b.Do(req)
}

// PostForm posts data urlencoded to u, as a browser submits a form.
func (b *Browser) PostForm(u string, data url.Values) (*Page, error) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(data.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Do(req)
}

// Do sends req with b's cookies, following redirects unless b is a
// NoFollow copy, and reads the final body. A status of 4xx or 5xx is not
// an error.
func (b *Browser) Do(req *http.Request) (*Page, error) {
	page, err := b.do(req)
	for n := 0; err == nil && !b.noFollow; n++ {
		action, fields, ok := page.AutoSubmitForm()
		if !ok {
			break
		}
		if n == maxAutoSubmits {
			return nil, fmt.Errorf("gintest: stopped after %d auto-submitting forms", maxAutoSubmits)
		}
		var next *http.Request
		if next, err = http.NewRequest(http.MethodPost, action, strings.NewReader(fields.Encode())); err != nil {
			return nil, err
		}
		next.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		hops := page.Hops
		if page, err = b.do(next); err == nil {
			page.Hops = append(hops, page.Hops...)
		}
	}
	return page, err
}

func (b *Browser) do(req *http.Request) (*Page, error) {
	hops := []*url.URL{req.URL}
	c := *b.Client
	c.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		if b.noFollow {
			return http.ErrUseLastResponse
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("gintest: stopped after %d redirects", maxRedirects)
		}
		hops = append(hops, next.URL)
		return nil
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxPageBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxPageBytes {
		return nil, ErrPageTooLarge
	}
	return &Page{
		URL:        resp.Request.URL,
		StatusCode: resp.StatusCode,
		Header:     resp.Header,
		Body:       string(body),
		Hops:       hops,
	}, nil
}

// Cookies returns the cookies b would send to u.
func (b *Browser) Cookies(u string) []*http.Cookie {
	parsed, err := url.Parse(u)
	if err != nil || b.Client.Jar == nil {
		return nil
	}
	return b.Client.Jar.Cookies(parsed)
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)

// SignIn submits the gintest sign-in form on page as the user name
// pressing "Sign in", and follows the redirects that result. page must be
// the form that the Provider's /authorize showed.
func (b *Browser) SignIn(page *Page, name string) (*Page, error) {
	return b.submitSignIn(page, url.Values{"name": {name}, "action": {"approve"}})
}

// Deny submits the gintest sign-in form on page pressing "Deny".
func (b *Browser) Deny(page *Page) (*Page, error) {
	return b.submitSignIn(page, url.Values{"action": {"deny"}})
}

func (b *Browser) submitSignIn(page *Page, fields url.Values) (*Page, error) {
	found := hiddenInput.FindAllStringSubmatch(page.Body, -1)
	if len(found) == 0 || page.URL == nil {
		return nil, errors.New("gintest: page is not the gintest sign-in form")
	}
	data := url.Values{}
	for _, m := range found {
		data.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	for k, v := range fields {
		data[k] = v
	}
	return b.PostForm(page.URL.String(), data)
}
