package piconfig

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var quickLock = lockOptions{stale: 10 * time.Second, retryFor: 200 * time.Millisecond}

func TestLockIsADirectoryRemovedOnRelease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	l, err := acquireLock(context.Background(), path, quickLock)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path + ".lock")
	if err != nil || !st.IsDir() {
		t.Fatalf("lock dir: %v %v", st, err)
	}
	if err := l.release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".lock"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock dir left behind: %v", err)
	}
}

func TestLockHeldByOtherFailsAfterRetries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := os.Mkdir(path+".lock", 0o755); err != nil { // a live holder
		t.Fatal(err)
	}
	_, err := acquireLock(context.Background(), path, quickLock)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	if _, err := os.Stat(path + ".lock"); err != nil {
		t.Fatal("someone else's live lock was removed")
	}
}

func TestStaleLockIsTakenOver(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	if err := os.Mkdir(path+".lock", 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-11 * time.Second)
	if err := os.Chtimes(path+".lock", old, old); err != nil {
		t.Fatal(err)
	}
	l, err := acquireLock(context.Background(), path, quickLock)
	if err != nil {
		t.Fatalf("stale lock not taken over: %v", err)
	}
	st, _ := os.Stat(path + ".lock")
	if time.Since(st.ModTime()) > 5*time.Second {
		t.Error("taken-over lock kept the stale mtime")
	}
	_ = l.release()
}

func TestAuthLockToleratesSlowOAuthRefresh(t *testing.T) {
	// pi's OAuth refresh refreshes its lock only every 15 s; a 20 s old
	// auth.json lock may still be alive.
	path := filepath.Join(t.TempDir(), "auth.json")
	if err := os.Mkdir(path+".lock", 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-20 * time.Second)
	_ = os.Chtimes(path+".lock", old, old)
	opts := authLock
	opts.retryFor = 100 * time.Millisecond
	if _, err := acquireLock(context.Background(), path, opts); !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
}

func TestLockWaitsForRelease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	first, err := acquireLock(context.Background(), path, quickLock)
	if err != nil {
		t.Fatal(err)
	}
	opts := quickLock
	opts.retryFor = 10 * time.Second
	got := make(chan error, 1)
	go func() {
		l, err := acquireLock(context.Background(), path, opts)
		if err == nil {
			err = l.release()
		}
		got <- err
	}()
	if err := first.release(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}
}

func TestLockHonoursContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	_ = os.Mkdir(path+".lock", 0o755)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	opts := quickLock
	opts.retryFor = time.Minute
	if _, err := acquireLock(ctx, path, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestHeldLockStaysFresh(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	l, err := acquireLock(context.Background(), path, lockOptions{stale: 2 * time.Second, retryFor: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer l.release()
	past := time.Now().Add(-time.Hour)
	_ = os.Chtimes(path+".lock", past, past)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		st, err := os.Stat(path + ".lock")
		if err == nil && time.Since(st.ModTime()) < time.Minute {
			return
		}
		time.Sleep(50 * time.Millisecond) // polling the mtime: there is no event to wait for
	}
	t.Fatal("holder never refreshed the lock's mtime")
}

func TestLockSerialisesGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "counter")
	opts := lockOptions{stale: 10 * time.Second, retryFor: 30 * time.Second}
	var wg sync.WaitGroup
	var inside atomic.Int32 // the race detector cannot see mkdir ordering
	for range 8 {
		wg.Go(func() {
			for range 10 {
				l, err := acquireLock(context.Background(), path, opts)
				if err != nil {
					t.Error(err)
					return
				}
				if inside.Add(1) != 1 {
					t.Error("two holders at once")
				}
				inside.Add(-1)
				_ = l.release()
			}
		})
	}
	wg.Wait()
}
