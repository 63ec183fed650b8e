package piconfig

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// pi guards auth.json and settings.json with the npm package proper-lockfile:
// the lock is a DIRECTORY named "<file>.lock" (mkdir is atomic), its holder
// refreshes the directory's mtime while it holds it, and a lock whose mtime
// is older than the stale threshold belongs to a dead process and may be
// removed. No Go library speaks this protocol, so it is written here; it has
// to match pi's exactly for a running pi CLI and pi-forge to share files.

// ErrLocked is returned when another process kept the lock for longer than
// the retry budget.
var ErrLocked = errors.New("file is locked by another process")

type lockOptions struct {
	// stale is how old a lock's mtime must be before it counts as abandoned.
	// pi's synchronous writers use 10 s; its OAuth refresh uses 30 s and
	// refreshes only every 15 s, so auth.json is judged with 30 s to never
	// break a live refresh.
	stale time.Duration
	// retryFor bounds how long to wait for a held lock.
	retryFor time.Duration
}

var (
	authLock     = lockOptions{stale: 30 * time.Second, retryFor: 5 * time.Second}
	settingsLock = lockOptions{stale: 10 * time.Second, retryFor: 5 * time.Second}
)

const (
	lockRetryMin = 20 * time.Millisecond // pi's sync writers retry every 20 ms
	lockRetryMax = 500 * time.Millisecond
)

// heldLock is an acquired lock; release it exactly once.
type heldLock struct {
	dir     string
	mu      sync.Mutex
	timer   *time.Timer
	every   time.Duration
	stopped bool
}

// acquireLock takes "<path>.lock", waiting with backoff while someone else
// holds it. The directory holding path must exist.
func acquireLock(ctx context.Context, path string, opts lockOptions) (*heldLock, error) {
	dir := path + ".lock"
	deadline := time.Now().Add(opts.retryFor)
	wait := lockRetryMin
	for {
		err := tryLock(dir, opts.stale)
		if err == nil {
			return startRefresh(dir, opts.stale), nil
		}
		if !errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if time.Now().Add(wait).After(deadline) {
			return nil, fmt.Errorf("lock %s: %w", path, ErrLocked)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("lock %s: %w", path, ctx.Err())
		case <-t.C:
		}
		wait = min(wait*2, lockRetryMax)
	}
}

// tryLock makes one attempt, removing an abandoned lock first if it finds
// one, as proper-lockfile does.
func tryLock(dir string, stale time.Duration) error {
	err := os.Mkdir(dir, 0o700)
	if err == nil || !errors.Is(err, fs.ErrExist) {
		return err
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Released between our mkdir and stat: one more try, no stale check.
		return mkdirOrLocked(dir)
	case err != nil:
		return err
	case time.Since(st.ModTime()) <= stale:
		return ErrLocked
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return mkdirOrLocked(dir)
}

func mkdirOrLocked(dir string) error {
	err := os.Mkdir(dir, 0o700)
	if errors.Is(err, fs.ErrExist) {
		return ErrLocked
	}
	return err
}

// startRefresh keeps the lock's mtime fresh every stale/2, as pi does, so
// nobody takes a lock we hold for a long time as abandoned.
func startRefresh(dir string, stale time.Duration) *heldLock {
	l := &heldLock{dir: dir, every: max(stale/2, time.Second)}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.timer = time.AfterFunc(l.every, l.refresh)
	return l
}

func (l *heldLock) refresh() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return
	}
	now := time.Now()
	_ = os.Chtimes(l.dir, now, now)
	l.timer.Reset(l.every)
}

// release stops the refresh and removes the lock directory.
func (l *heldLock) release() error {
	l.mu.Lock()
	l.stopped = true
	l.timer.Stop()
	l.mu.Unlock()
	if err := os.Remove(l.dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("unlock %s: %w", l.dir, err)
	}
	return nil
}
