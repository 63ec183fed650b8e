package session

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pi-forge/pi-forge/internal/atomicfile"
)

// The list cache is kept on disk so that the first list after a restart
// costs a stat per file instead of a read: over 10,000 sessions the reads are
// ~160 ms of syscalls, the stats ~25 ms. The file is only a cache. A missing,
// corrupt or other-version file is ignored, and every entry is still checked
// against its file's size and mtime before it is used. It is gob, not JSON:
// decoding 10,000 summaries takes ~14 ms instead of ~60.

const (
	indexVersion = 1
	// indexSaveDelay batches saves: while a session runs, each list re-reads
	// its file, and the whole cache (megabytes for 10,000 sessions) need not
	// be rewritten each time. A save lost to a crash only means those files
	// are read again at the next start; shutdown saves at once.
	indexSaveDelay = 30 * time.Second
)

type indexFile struct {
	Version int
	Files   map[string]indexEntry
}

type indexEntry struct {
	Size          int64
	MtimeNs       int64
	Valid         bool
	ID            string
	Cwd           string
	ParentSession string
	Created       string
	Name          string
	MessageCount  int
	FirstMessage  string
	LastActivity  int64
}

func toIndexEntry(cs cachedSummary) indexEntry {
	s := cs.sum
	return indexEntry{Size: cs.size, MtimeNs: cs.mtime.UnixNano(), Valid: s.valid, ID: s.id, Cwd: s.cwd,
		ParentSession: s.parentSession, Created: s.created, Name: s.name, MessageCount: s.messageCount,
		FirstMessage: s.firstMessage, LastActivity: s.lastActivity}
}

func (e indexEntry) cached() cachedSummary {
	return cachedSummary{size: e.Size, mtime: time.Unix(0, e.MtimeNs), sum: summary{valid: e.Valid, id: e.ID, cwd: e.Cwd,
		parentSession: e.ParentSession, created: e.Created, name: e.Name, messageCount: e.MessageCount,
		firstMessage: e.FirstMessage, lastActivity: e.LastActivity}}
}

// listIndex persists a listCache to one file.
type listIndex struct {
	path     string // "" keeps the cache in memory only
	loadOnce sync.Once
	saveMu   sync.Mutex // one writer of the file at a time

	mu    sync.Mutex
	dirty bool
	timer *time.Timer
}

// load fills c from the file once; entries already in c win.
func (ix *listIndex) load(c *listCache) {
	if ix.path == "" {
		return
	}
	ix.loadOnce.Do(func() {
		data, err := os.ReadFile(ix.path)
		if err != nil {
			return
		}
		var f indexFile
		if gob.NewDecoder(bytes.NewReader(data)).Decode(&f) != nil || f.Version != indexVersion {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for p, e := range f.Files {
			if _, ok := c.files[p]; !ok {
				c.files[p] = e.cached()
			}
		}
	})
}

// changed schedules a save after indexSaveDelay.
func (ix *listIndex) changed(c *listCache) {
	if ix.path == "" {
		return
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.dirty = true
	if ix.timer == nil {
		ix.timer = time.AfterFunc(indexSaveDelay, func() { _ = ix.flush(c) })
	}
}

// flush writes the file now if anything changed since the last write.
func (ix *listIndex) flush(c *listCache) error {
	if ix.path == "" {
		return nil
	}
	ix.saveMu.Lock()
	defer ix.saveMu.Unlock()
	ix.mu.Lock()
	if ix.timer != nil {
		ix.timer.Stop()
		ix.timer = nil
	}
	dirty := ix.dirty
	ix.dirty = false
	ix.mu.Unlock()
	if !dirty {
		return nil
	}
	if err := ix.write(c); err != nil {
		ix.mu.Lock()
		ix.dirty = true // try again with the next change or flush
		ix.mu.Unlock()
		return fmt.Errorf("session: save list cache: %w", err)
	}
	return nil
}

// write replaces the file with c's summaries; 0600, as they hold the
// sessions' first messages.
func (ix *listIndex) write(c *listCache) error {
	f := indexFile{Version: indexVersion, Files: map[string]indexEntry{}}
	c.mu.Lock()
	for p, cs := range c.files {
		f.Files[p] = toIndexEntry(cs)
	}
	c.mu.Unlock()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(f); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(ix.path), 0o700); err != nil {
		return err
	}
	return atomicfile.WriteFile(ix.path, buf.Bytes(), 0o600)
}
