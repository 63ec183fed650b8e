package auth

import (
	"crypto/sha256"
	"slices"
	"sync"
	"time"
)

// maxTrackedTokens bounds the inactivity map. Past it, entries that have
// already timed out go first, then the least recently active (which fall
// back to their iat as last activity).
const maxTrackedTokens = 10000

// activity remembers when each login token was last used for a mutating
// request, for LOGIN_INACTIVITY_TIMEOUT_SECONDS. A token never seen is
// taken as active at its iat. The map is in memory only, as in the
// reference: a restart forgets it, which only ever extends a session to
// its iat-based deadline.
type activity struct {
	timeout time.Duration

	mu   sync.Mutex
	last map[[32]byte]time.Time
}

func newActivity(timeout time.Duration) *activity {
	return &activity{timeout: timeout, last: map[[32]byte]time.Time{}}
}

// touch checks token's idle time at now and, when refresh is set, marks it
// active. It reports false when the token has been idle too long.
func (a *activity) touch(token string, issuedAt, now time.Time, refresh bool) bool {
	if a.timeout <= 0 {
		return true
	}
	key := sha256.Sum256([]byte(token))
	a.mu.Lock()
	defer a.mu.Unlock()
	last, ok := a.last[key]
	if !ok {
		last = issuedAt
	}
	if now.Sub(last) > a.timeout {
		delete(a.last, key)
		return false
	}
	if refresh {
		if !ok && len(a.last) >= maxTrackedTokens {
			a.evict(now)
		}
		a.last[key] = now
	}
	return true
}

// evict makes room: timed-out entries go, and if the map is still full,
// the least recently active quarter (one sort per maxTrackedTokens/4
// inserts, so a flood costs O(log n) per token).
func (a *activity) evict(now time.Time) {
	times := make([]time.Time, 0, len(a.last))
	for k, t := range a.last {
		if now.Sub(t) > a.timeout {
			delete(a.last, k)
			continue
		}
		times = append(times, t)
	}
	if len(a.last) < maxTrackedTokens {
		return
	}
	slices.SortFunc(times, func(x, y time.Time) int { return x.Compare(y) })
	cutoff := times[len(times)/4]
	for k, t := range a.last {
		if t.Before(cutoff) || t.Equal(cutoff) {
			delete(a.last, k)
		}
	}
}

func (a *activity) size() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.last)
}
