package auth

import (
	"sync"
	"time"
)

// maxLockoutKeys bounds the failure table. Usernames are attacker-chosen
// under LDAP, so the table must not grow without limit; when it is full,
// entries that are not locked go first, so flooding it with fresh names
// cannot release a real lock early.
const maxLockoutKeys = 10000

// lockout counts consecutive failed logins per identity and locks an
// identity for a while after too many (LOGIN_ATTEMPT_LIMIT_MAX,
// LOGIN_LOCKOUT_MS). In memory only, as in the reference.
type lockout struct {
	max      int
	duration time.Duration

	mu      sync.Mutex
	entries map[string]*lockEntry
}

type lockEntry struct {
	failures    int
	lockedUntil time.Time
}

func newLockout(max int, duration time.Duration) *lockout {
	return &lockout{max: max, duration: duration, entries: map[string]*lockEntry{}}
}

// lockedUntil reports the end of key's lock, or the zero time when key may
// try. An expired lock starts a fresh count.
func (l *lockout) lockedUntil(key string, now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[key]
	if e == nil || e.lockedUntil.IsZero() {
		return time.Time{}
	}
	if !now.Before(e.lockedUntil) {
		delete(l.entries, key)
		return time.Time{}
	}
	return e.lockedUntil
}

// fail records a failed attempt and reports the lock it caused, if any.
func (l *lockout) fail(key string, now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[key]
	if e == nil {
		if len(l.entries) >= maxLockoutKeys {
			l.evict(now)
		}
		e = &lockEntry{}
		l.entries[key] = e
	}
	e.failures++
	if e.failures >= l.max {
		e.lockedUntil = now.Add(l.duration)
	}
	return e.lockedUntil
}

// succeed clears key's failures.
func (l *lockout) succeed(key string) {
	l.mu.Lock()
	delete(l.entries, key)
	l.mu.Unlock()
}

// evict drops expired locks and unlocked counters; if every entry is a
// live lock, the one ending soonest goes.
func (l *lockout) evict(now time.Time) {
	var soonestKey string
	var soonest time.Time
	for k, e := range l.entries {
		if e.lockedUntil.IsZero() || !now.Before(e.lockedUntil) {
			delete(l.entries, k)
			continue
		}
		if soonest.IsZero() || e.lockedUntil.Before(soonest) {
			soonest, soonestKey = e.lockedUntil, k
		}
	}
	if len(l.entries) >= maxLockoutKeys {
		delete(l.entries, soonestKey)
	}
}
