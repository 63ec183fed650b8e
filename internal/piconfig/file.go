package piconfig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/pi-forge/pi-forge/internal/atomicfile"
)

// lockedFile is one of pi's JSON files, read and replaced under pi's lock.
// Reads take the lock too: pi writes in place (truncate, then write), so an
// unlocked read could see a half-written file.
type lockedFile struct {
	path string
	perm os.FileMode // for a new file; an existing file keeps its mode unless secret
	// secret forces perm on every write (auth.json and models.json hold keys).
	secret bool
	lock   lockOptions
	mu     sync.Mutex // serialises this process's writers before the lock dir does
}

// read returns the file's bytes, or nil if it does not exist.
//
// It reads without the lock first: pi rewrites in place (truncate, then one
// write of a whole JSON document) and we rename, so a reader can only catch
// an empty file or a strict prefix of a document, neither of which is valid
// JSON. Only then does it wait for the lock and read again. That keeps the
// per-request credential lookup off the lock directory (a mkdir costs a
// millisecond on some filesystems).
func (f *lockedFile) read(ctx context.Context) ([]byte, error) {
	data, err := os.ReadFile(f.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil // nothing to lock, as pi's settings reader does
	case err == nil && json.Valid(data):
		return data, nil
	}
	err = f.update(ctx, false, func(current []byte) ([]byte, error) {
		data = current
		return nil, nil
	})
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		// A read-only agent dir (a mounted secret, say) has no room for the
		// lock directory, and nobody can be writing the file there.
		data, err = os.ReadFile(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	return data, err
}

// update runs fn on the current contents (nil when the file is missing)
// under the lock and atomically replaces the file with what fn returns; a
// nil result leaves the file alone. With create set, the directory is made
// (0700, like pi's agent dir) when missing; without it a missing directory
// means fn sees nil and nothing is written.
func (f *lockedFile) update(ctx context.Context, create bool, fn func(current []byte) ([]byte, error)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	dir := filepath.Dir(f.path)
	if create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
	} else if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		_, err := fn(nil) // nowhere to lock and nothing to change
		return err
	}
	held, err := acquireLock(ctx, f.path, f.lock)
	if err != nil {
		return err
	}
	defer func() { _ = held.release() }()
	current, err := os.ReadFile(f.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", f.path, err)
	}
	next, err := fn(current)
	if err != nil || next == nil {
		return err
	}
	return f.replace(next)
}

// replace writes next atomically. A symlinked file (dotfile managers) has its
// target replaced, not the link.
func (f *lockedFile) replace(next []byte) error {
	target := f.path
	if resolved, err := filepath.EvalSymlinks(f.path); err == nil {
		target = resolved
	}
	perm := f.perm
	if st, err := os.Stat(target); err == nil && !f.secret {
		perm = st.Mode().Perm()
	}
	if err := atomicfile.WriteFile(target, next, perm); err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	return nil
}
