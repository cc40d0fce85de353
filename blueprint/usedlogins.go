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
	mu   sync.Mutex
	used recent[stateHash, struct{}]
}

func (u *usedLogins) init(ttl time.Duration) { u.used.ttl, u.used.max = ttl, maxUsedLogins }

// claim records key as used at now and reports whether it was not used
// already within the login lifetime.
func (u *usedLogins) claim(key stateHash, now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, used := u.used.get(key, now); used {
		return false
	}
	u.used.put(key, struct{}{}, now)
	return true
}
