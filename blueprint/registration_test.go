package blueprint_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gindance/gindance/blueprint"
)

// failCallback mounts b and delivers a callback with a state no login
// started, which fails with ErrStateMismatch (400).
func failCallback(b *blueprint.Blueprint) (int, string) {
	r := newEngine()
	b.Mount(r.Group("/login"))
	w := serve(r, http.MethodGet, "/login/x/authorized?state=unknown&code=c", nil)
	return w.Code, w.Body.String()
}

// OnError adds a hook, as BeforeLogin and OnLogin do: a hook that only
// records the error (for metrics, say) does not take the answer away from
// a later hook, and when no hook answers, the default page does.
func TestOnErrorHooksAddUpAndTheDefaultAnswersLast(t *testing.T) {
	var seen []string
	b := blueprint.NewOAuth2("x", staticConfig("https://api.example/"))
	b.OnError(func(c *gin.Context, err error) { seen = append(seen, "metrics") })
	b.OnError(func(c *gin.Context, err error) {
		seen = append(seen, "page")
		c.String(http.StatusTeapot, "our page")
	})
	b.OnError(func(c *gin.Context, err error) { seen = append(seen, "after the answer") })
	if code, body := failCallback(b); code != http.StatusTeapot || body != "our page" || strings.Join(seen, ",") != "metrics,page" {
		t.Fatalf("answer %d %q, hooks run %v; want the second hook's answer after both ran", code, body, seen)
	}

	recorded := 0
	b = blueprint.NewOAuth2("x", staticConfig("https://api.example/"))
	b.OnError(func(c *gin.Context, err error) {
		if errors.Is(err, blueprint.ErrStateMismatch) {
			recorded++
		}
	})
	if code, body := failCallback(b); code != http.StatusBadRequest || !strings.Contains(body, `<p class="message">`) || recorded != 1 {
		t.Fatalf("a hook that only records: answer %d %q (recorded %d); want the default 400 page", code, body, recorded)
	}
}

// The hooks that add panic on nil where they are registered, instead of a
// nil call at a user's login; the registrations that replace restore their
// default on nil.
func TestRegistrationRules(t *testing.T) {
	b := blueprint.NewOAuth2("x", staticConfig("https://api.example/"))
	for name, register := range map[string]func(){
		"BeforeLogin": func() { b.BeforeLogin(nil) },
		"OnLogin":     func() { b.OnLogin(nil) },
		"OnError":     func() { b.OnError(nil) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), name+"(nil)") {
					t.Errorf("%s(nil): recovered %v, want a panic naming it", name, r)
				}
			}()
			register()
		}()
	}
	b.SetStorage(nil)
	if _, ok := b.Storage().(blueprint.SessionStorage); !ok {
		t.Fatalf("SetStorage(nil) left %T, want the default SessionStorage", b.Storage())
	}
}
