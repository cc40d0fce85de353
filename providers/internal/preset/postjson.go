package preset

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gindance/gindance/blueprint"
)

// maxAPIBody bounds an API answer a preset decodes.
const maxAPIBody = 1 << 20

// PostJSON POSTs body (a JSON document, e.g. "null" or "{}") to path and
// decodes the JSON answer into v, for the APIs whose "who am I" call is a
// POST (Dropbox). A non-2xx answer is a *blueprint.APIError, as from
// Client.GetJSON.
func PostJSON(cl *blueprint.Client, path, body string, v any) error {
	resp, err := cl.Post(path, "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		u := *resp.Request.URL
		u.RawQuery, u.Fragment = "", ""
		return &blueprint.APIError{StatusCode: resp.StatusCode, Status: resp.Status, URL: u.String(), Body: string(b)}
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxAPIBody)).Decode(v); err != nil {
		return fmt.Errorf("gindance: decoding %s answer: %w", resp.Request.URL.Path, err)
	}
	return nil
}
