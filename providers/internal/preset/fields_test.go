package preset

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestFieldsReadNestedValues(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal([]byte(`{"id":1234567890123,"s":"x","o":{"b":true,"n":{"s":"deep"}},"f":1.5}`), &m); err != nil {
		t.Fatal(err)
	}
	if ID(m, "id") != "1234567890123" || ID(m, "s") != "x" || ID(m, "o") != "" {
		t.Fatalf("ID: %q %q %q", ID(m, "id"), ID(m, "s"), ID(m, "o"))
	}
	if Str(m, "o", "n", "s") != "deep" || Str(m, "o", "b") != "" || Str(m, "missing", "x") != "" {
		t.Fatal("Str")
	}
	if !Bool(m, "o", "b") || Bool(m, "s") || Obj(m, "o", "n") == nil || Obj(m, "s") != nil {
		t.Fatal("Bool/Obj")
	}
}

func TestWrapTransportLeavesTheAppsClientAlone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(r.Header.Get("X-T"))) }))
	defer srv.Close()
	app := &http.Client{}
	c := WrapTransport(app, func(base http.RoundTripper) http.RoundTripper {
		return RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			r = r.Clone(r.Context())
			r.Header.Set("X-T", "set")
			return base.RoundTrip(r)
		})
	})
	if app.Transport != nil || c == app {
		t.Fatal("the app's client was modified")
	}
	resp, err := c.Get(srv.URL + "/p?q=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b [8]byte
	n, _ := resp.Body.Read(b[:])
	if string(b[:n]) != "set" {
		t.Fatalf("header not set: %q", b[:n])
	}
	if !IsURL(resp.Request, srv.URL+"/p") || Origin(srv.URL+"/p") != srv.URL || Origin("/rel") != "" {
		t.Fatal("IsURL/Origin")
	}
}
