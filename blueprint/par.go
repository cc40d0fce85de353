package blueprint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxPARResponse bounds what is read of a PAR endpoint's answer; the
// request_uri the browser carries is bounded tighter.
const (
	maxPARResponse   = 64 << 10
	maxRequestURILen = 2048
)

// parOn reports whether this login's authorization request is pushed, or
// ErrPARRequired when it must be and cannot.
func (p *oauth2Protocol) parOn(ep Endpoints) (bool, error) {
	if !p.cfg.PushAuthorizationRequests && !ep.RequirePAR {
		return false, nil
	}
	if ep.PARURL == "" {
		return false, fmt.Errorf("%w (%s)", ErrPARRequired, p.name)
	}
	return true, nil
}

// parResponse is RFC 9126 §2.2's success body.
type parResponse struct {
	RequestURI string  `json:"request_uri"`
	ExpiresIn  float64 `json:"expires_in"`
	Error      string  `json:"error"`
	ErrorDesc  string  `json:"error_description"`
}

// pushAuthorization posts the authorization parameters (query, encoded)
// with the client's authentication to the PAR endpoint (RFC 9126 §2.1) and
// returns the URL the browser goes to: the authorization endpoint with only
// client_id and request_uri (§4).
func (p *oauth2Protocol) pushAuthorization(ctx context.Context, ep Endpoints, query string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	form, err := url.ParseQuery(query)
	if err != nil {
		return "", err
	}
	fail := func(status int, code, desc string, err error) error {
		return &ProviderError{Provider: p.name, Op: "par", StatusCode: status,
			Code: excerpt(code, 64), Description: excerpt(desc, 512), Err: err}
	}
	resp, err := p.postForm(ctx, ep, ep.PARURL, form)
	if err != nil {
		if errors.Is(err, ErrClientAssertion) {
			return "", err
		}
		return "", fail(0, "", "", fmt.Errorf("%w: %w", ErrPAR, err))
	}
	defer resp.Body.Close()
	var pr parResponse
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPARResponse+1))
	if err != nil || len(body) > maxPARResponse || json.Unmarshal(body, &pr) != nil {
		return "", fail(resp.StatusCode, "", "", fmt.Errorf("%w: the answer is not a JSON object of at most %d bytes", ErrPAR, maxPARResponse))
	}
	switch {
	case resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK:
		// §2.3: an error response; a 200 is accepted from servers that
		// answer before reading §2.2's "201 Created".
		return "", fail(resp.StatusCode, pr.Error, pr.ErrorDesc, ErrPAR)
	case pr.RequestURI == "" || len(pr.RequestURI) > maxRequestURILen:
		return "", fail(resp.StatusCode, "", "", fmt.Errorf("%w: no usable request_uri in the answer", ErrPAR))
	}
	var sb strings.Builder
	sb.WriteString(ep.AuthURL)
	if strings.Contains(ep.AuthURL, "?") {
		sb.WriteByte('&')
	} else {
		sb.WriteByte('?')
	}
	sb.WriteString(url.Values{"client_id": {p.cfg.ClientID}, "request_uri": {pr.RequestURI}}.Encode())
	return sb.String(), nil
}
