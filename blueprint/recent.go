package blueprint

import "time"

// recent remembers values for a fixed time after each was put: the memories
// that must outlive a request but not grow without bound, the refresh
// results late requests reuse (refresher) and the logins a callback took
// (usedLogins). Entries are pruned oldest first as new ones come; beyond max
// (0: no bound) the oldest is forgotten early. Its owner locks it.
type recent[K comparable, V any] struct {
	ttl   time.Duration
	max   int
	m     map[K]recentEntry[V]
	order []K // keys, oldest put first; each once
}

type recentEntry[V any] struct {
	v  V
	at int64 // when it was put, Unix nanoseconds
}

// get returns the value put for k less than ttl before now.
func (r *recent[K, V]) get(k K, now time.Time) (V, bool) {
	e, ok := r.m[k]
	if !ok || now.UnixNano()-e.at >= int64(r.ttl) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// put keeps v for k from now, first forgetting what has expired.
func (r *recent[K, V]) put(k K, v V, now time.Time) {
	t := now.UnixNano()
	for len(r.order) > 0 && t-r.m[r.order[0]].at >= int64(r.ttl) {
		r.forgetOldest()
	}
	if r.m == nil {
		r.m = make(map[K]recentEntry[V])
	}
	if _, ok := r.m[k]; !ok {
		if r.max > 0 && len(r.order) >= r.max {
			r.forgetOldest()
		}
		r.order = append(r.order, k)
	}
	r.m[k] = recentEntry[V]{v: v, at: t}
}

func (r *recent[K, V]) forgetOldest() {
	delete(r.m, r.order[0])
	var zero K
	r.order[0] = zero
	r.order = r.order[1:]
}
