package blueprint

import (
	"sync"
	"time"
)

// maxUsedLogins bounds the used-login memory of one blueprint: at about
// 85 to 100 bytes an entry, some 6 MiB at the most (a map does not shrink
// once it has grown). Beyond it the oldest entries are
// forgotten early (their replay is then stopped only at the provider).
const maxUsedLogins = 1 << 16

// usedLogins remembers, in this process, the pending logins a callback has
// taken, for as long as they could still be presented (the login
// lifetime). A sealed pending-login cookie, or a cookie session, is only
// expired by the browser when the callback answers: the same cookie sent
// again (a double-submitted callback, a retried request, a replay) would
// otherwise pass the state check and send the used code to the provider,
// which may then revoke the tokens it issued for it (RFC 6749 §4.1.2).
// Keys are the transactions' state hashes, never states.
type usedLogins struct {
	mu    sync.Mutex
	at    map[stateHash]int64 // key -> when it was used, Unix nanoseconds
	order []stateHash         // keys, oldest use first
}

// claim records key as used at now and reports whether it was not used
// already within ttl.
func (u *usedLogins) claim(key stateHash, now time.Time, ttl time.Duration) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.at == nil {
		u.at = make(map[stateHash]int64)
	}
	t, limit := now.UnixNano(), int64(ttl)
	for len(u.order) > 0 && t-u.at[u.order[0]] > limit {
		u.forgetOldest()
	}
	if at, ok := u.at[key]; ok && t-at <= limit {
		return false
	}
	if len(u.order) >= maxUsedLogins {
		u.forgetOldest()
	}
	u.at[key] = t
	u.order = append(u.order, key)
	return true
}

func (u *usedLogins) forgetOldest() {
	delete(u.at, u.order[0])
	u.order = u.order[1:]
}
