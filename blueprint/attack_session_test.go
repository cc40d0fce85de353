package blueprint_test

// The attack catalogue: session fixation with server-side session stores
// (CWE-384, the class of passport's CVE-2022-25896). With a store that keys
// the session data by an id in the cookie, an attacker who plants a session
// id of their own in the victim's browser must not own the session the
// victim logs in with.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/memstore"
	sessionredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"
	goredis "github.com/redis/go-redis/v9"

	"github.com/gindance/gindance/blueprint"
	"github.com/gindance/gindance/gintest"
	"github.com/gindance/gindance/internal/testenv"
)

// fixationStore is a server-side gin-contrib/sessions store, and a way to
// tell whether it still holds data under a session id.
type fixationStore struct {
	store sessions.Store
	holds func(t *testing.T, id string) bool // nil: the test cannot look
}

func memFixationStore(t *testing.T) fixationStore {
	return fixationStore{store: memstore.NewStore(testHashKey, testBlockKey)}
}

func redisFixationStore(t *testing.T) fixationStore {
	addr := testenv.Service(t, "GINDANCE_REDIS_ADDR", "Redis")
	rc := goredis.NewClient(&goredis.Options{Addr: addr})
	t.Cleanup(func() { rc.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rc.Ping(ctx).Err(); err != nil {
		testenv.Unavailable(t, "Redis", err)
	}
	st, err := sessionredis.NewStore(4, "tcp", addr, "", "", testHashKey, testBlockKey)
	if err != nil {
		testenv.Unavailable(t, "Redis", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	prefix := "gindance-test-session:" + hex.EncodeToString(b) + ":"
	if err := sessionredis.SetKeyPrefix(st, prefix); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		keys, _ := rc.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			rc.Del(context.Background(), keys...)
		}
	})
	return fixationStore{store: st, holds: func(t *testing.T, id string) bool {
		n, err := rc.Exists(context.Background(), prefix+id).Result()
		if err != nil {
			t.Fatal(err)
		}
		return n == 1
	}}
}

// The attacker gets a session id in the server-side store (with pending
// logins in the session, by starting a login of their own; with sealed
// login cookies, the default, a login start writes no session, so by
// visiting a page of the app that does), plants that session cookie in the
// victim's browser, and waits for the victim to log in. By default the callback
// moves the session to a new id and deletes the old one: the attacker's
// cookie then reads an empty session, while the victim is logged in. With
// InsecureKeepSessionID the same attack succeeds, which is what the
// default prevents.
func TestAttackSessionFixationServerSideStores(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T) fixationStore
	}{{"memstore", memFixationStore}, {"redis", redisFixationStore}} {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range pendingModes {
				for _, keep := range []bool{false, true} {
					fixationAttack(t, tc.make(t), mode, keep)
				}
			}
		})
	}
}

// fixationAttack runs the attack of TestAttackSessionFixationServerSideStores
// once.
func fixationAttack(t *testing.T, fs fixationStore, mode pendingMode, keep bool) {
	t.Helper()
	p := gintest.StartProvider(gintest.Options{User: &gintest.User{ID: "u-1", Login: "victim"}})
	t.Cleanup(p.Close)
	b := p.NewBlueprint("fake", mode.tweak, func(cfg *blueprint.OAuth2Config) { cfg.InsecureKeepSessionID = keep })
	var ids []string // the session id at each request, as the server saw it
	r := gin.New()
	r.Use(sessions.Sessions("gindance", fs.store))
	r.Use(func(c *gin.Context) { c.Next(); ids = append(ids, sessions.Default(c).ID()) })
	b.OnLogin(func(c *gin.Context, tok *blueprint.Token) error {
		sessions.Default(c).Set("user", "u-1") // the app logs its user in
		return nil
	})
	b.Mount(r.Group("/login"))
	r.GET("/", func(c *gin.Context) {
		c.String(200, "authorized=%v user=%v", b.Authorized(c), sessions.Default(c).Get("user"))
	})
	r.GET("/visit", func(c *gin.Context) { // a page that keeps something in every visitor's session
		sess := sessions.Default(c)
		sess.Set("visited", true)
		_ = sess.Save()
		c.String(200, "welcome")
	})
	app := httptest.NewServer(r)
	t.Cleanup(app.Close)

	attacker := gintest.NewBrowser()
	start := "/login/fake"
	if mode.name == "cookie" {
		start = "/visit"
	}
	if page, err := attacker.NoFollow().Get(app.URL + start); err != nil || page.StatusCode >= 400 {
		t.Fatalf("attacker's %s: %v %+v", start, err, page)
	}
	planted := attacker.Cookies(app.URL)
	plantedID := ids[len(ids)-1]
	if len(planted) == 0 || plantedID == "" {
		t.Fatalf("the attacker got no server-side session (cookies %v, id %q)", planted, plantedID)
	}

	victim := gintest.NewBrowser()
	u, _ := url.Parse(app.URL)
	victim.Client.Jar.SetCookies(u, planted)
	page, err := victim.Get(app.URL + "/login/fake")
	if err != nil || page.Body != "authorized=true user=u-1" {
		t.Fatalf("victim's login: %v %+v", err, page)
	}
	victimID := ids[len(ids)-1]

	status, body, err := rawGet(context.Background(), t, app.URL+"/", planted)
	if err != nil {
		t.Fatal(err)
	}
	if keep {
		if victimID != plantedID || body != "authorized=true user=u-1" {
			t.Fatalf("InsecureKeepSessionID: the planted id %q ended as %q and reads %q; the attack should succeed with the opt-out",
				plantedID, victimID, body)
		}
		return
	}
	if victimID == plantedID {
		t.Fatalf("the victim's logged-in session kept the planted id %q", plantedID)
	}
	if status != 200 || body != "authorized=false user=<nil>" {
		t.Fatalf("the attacker's planted cookie reads %d %q, want an empty session", status, body)
	}
	if fs.holds != nil && fs.holds(t, plantedID) {
		t.Fatalf("the store still holds the planted session %q", plantedID)
	}
	if fs.holds != nil && !fs.holds(t, victimID) {
		t.Fatalf("the store has no session under the victim's new id")
	}
	if page, err := victim.Get(app.URL + "/"); err != nil || page.Body != "authorized=true user=u-1" {
		t.Fatalf("victim after the attack: %v %+v", err, page)
	}
}
