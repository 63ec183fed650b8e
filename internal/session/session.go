package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/google/renameio/v2"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// Session is one session file held in memory: its header, every entry in
// file order, the leaf and the labels. Appends make the new entry a child of
// the leaf and move the leaf to it. Methods are safe for concurrent use.
type Session struct {
	mu    sync.Mutex
	store *Store

	path    string
	header  Header
	entries []*Entry // file order
	byID    map[string]*Entry
	leaf    string // "" = before the first entry (parentId null)
	labels  map[string]labelState

	hasAssistant bool
	flushed      bool // the header and every entry so far are on disk

	f        *os.File
	size     int64 // bytes of whole lines on disk
	repairAt int64 // truncate here before the next write (torn tail), or -1
	needNL   bool  // the file ends without "\n"; start the next write with one
}

type labelState struct {
	label     string
	timestamp string
}

func newSessionState(st *Store) *Session {
	return &Session{store: st, byID: map[string]*Entry{}, labels: map[string]labelState{}, repairAt: -1}
}

// ID returns the session id (the header id).
func (s *Session) ID() string { s.mu.Lock(); defer s.mu.Unlock(); return s.header.ID }

// Path returns the session file path (it may not exist yet).
func (s *Session) Path() string { s.mu.Lock(); defer s.mu.Unlock(); return s.path }

// Header returns a copy of the header.
func (s *Session) Header() Header { s.mu.Lock(); defer s.mu.Unlock(); return s.header }

// Persisted reports whether the file has been written.
func (s *Session) Persisted() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.flushed }

// Close releases the file descriptor. The session stays usable; the next
// append reopens the file.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

// load reads s.path. See Store.Open.
func (s *Session) load() error {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return s.startFresh()
	}
	if err != nil {
		return fmt.Errorf("session: open %s: %w", s.path, err)
	}
	fl := splitFile(data)
	hdrAt := -1
	for i, l := range fl.lines {
		if json.Valid(l) {
			hdrAt = i
			break
		}
	}
	var h Header
	ok := false
	if hdrAt >= 0 {
		h, ok = parseHeader(fl.lines[hdrAt])
	}
	if !ok {
		return s.setAsideInvalid()
	}
	lines := fl.lines[hdrAt+1:]
	if h.Version < CurrentVersion {
		return s.migrateAndReload(append([][]byte{fl.lines[hdrAt]}, lines...), h.Version)
	}
	s.header = h
	for i, e := range parseLines(lines) {
		if e == nil {
			if e = recoverGlued(lines[i]); e == nil {
				continue // malformed lines are skipped, as pi does
			}
		}
		s.index(e)
	}
	s.flushed = true
	s.size = int64(len(data))
	if fl.tornAt >= 0 {
		s.repairAt = fl.tornAt
	}
	s.needNL = fl.missingNewline
	return nil
}

// parseLines decodes entry lines, in parallel for long files (decoding
// messages is most of the cost of resuming a session). A nil result marks a
// line that did not parse.
func parseLines(lines [][]byte) []*Entry {
	out := make([]*Entry, len(lines))
	workers := runtime.GOMAXPROCS(0)
	if len(lines) < 512 || workers < 2 {
		workers = 1
	}
	chunk := (len(lines) + workers - 1) / workers
	var wg sync.WaitGroup
	for start := 0; start < len(lines); start += chunk {
		end := min(start+chunk, len(lines))
		wg.Go(func() {
			for i := start; i < end; i++ {
				out[i], _ = parseEntry(lines[i])
			}
		})
	}
	wg.Wait()
	return out
}

// startFresh makes s a new, unwritten session that keeps s.path.
func (s *Session) startFresh() error {
	path := s.path
	ns := s.store.newSession(filepath.Dir(path), "", "")
	s.header = ns.header
	if wd, err := os.Getwd(); err == nil {
		s.header.Cwd = wd
		s.header.raw = encodeHeader(&s.header)
	}
	s.path = path
	return nil
}

// setAsideInvalid handles a file whose first line is not a session header.
// pi truncates such a file; here it is renamed to <path>.invalid-<time> so no
// byte is destroyed, and the session starts fresh at the same path.
func (s *Session) setAsideInvalid() error {
	aside := s.path + ".invalid-" + fileStamp(isoTime(s.store.opts.Now()))
	if err := os.Rename(s.path, aside); err != nil {
		return fmt.Errorf("session: set aside invalid file %s: %w", s.path, err)
	}
	return s.startFresh()
}

// migrateAndReload upgrades an old file, rewrites it atomically and loads it.
func (s *Session) migrateAndReload(lines [][]byte, version int) error {
	out, err := migrate(lines, version, func(taken map[string]bool) string {
		return s.store.newEntryID(func(id string) bool { return taken[id] })
	})
	if err != nil {
		return fmt.Errorf("session: migrate %s: %w", s.path, err)
	}
	var buf bytes.Buffer
	for _, l := range out {
		buf.Write(l)
		buf.WriteByte('\n')
	}
	if err := renameio.WriteFile(s.path, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("session: rewrite migrated %s: %w", s.path, err)
	}
	return s.load()
}

// index adds a loaded or appended entry to the in-memory tree.
func (s *Session) index(e *Entry) {
	s.entries = append(s.entries, e)
	s.byID[e.ID] = e
	s.leaf = e.ID
	switch e.Type {
	case TypeLabel:
		if e.Label != "" {
			s.labels[e.TargetID] = labelState{e.Label, e.Timestamp}
		} else {
			delete(s.labels, e.TargetID)
		}
	case TypeMessage:
		if e.Message.Role == ai.RoleAssistant {
			s.hasAssistant = true
		}
	}
}

// unindex undoes index for the last entry after a failed write.
func (s *Session) unindex(e *Entry, prevLeaf string, prevLabel labelState, hadLabel, hadAssistant bool) {
	s.entries = s.entries[:len(s.entries)-1]
	delete(s.byID, e.ID)
	s.leaf = prevLeaf
	s.hasAssistant = hadAssistant
	if e.Type == TypeLabel {
		if hadLabel {
			s.labels[e.TargetID] = prevLabel
		} else {
			delete(s.labels, e.TargetID)
		}
	}
}

// appendLocked stamps e (id, parent = leaf, timestamp), encodes it, adds it
// to the tree and persists it. On a write error the tree is left unchanged.
func (s *Session) appendLocked(e *Entry) (string, error) {
	e.ID = s.store.newEntryID(func(id string) bool { _, ok := s.byID[id]; return ok })
	e.ParentID = s.leaf
	e.Timestamp = isoTime(s.store.opts.Now())
	if e.Type == TypeCustomMessage {
		e.Message.Timestamp = isoMillis(e.Timestamp)
	}
	raw, err := encodeEntry(e)
	if err != nil {
		return "", err
	}
	e.raw = raw
	prevLeaf, hadAssistant := s.leaf, s.hasAssistant
	prevLabel, hadLabel := s.labels[e.TargetID]
	s.index(e)
	if err := s.persist(e); err != nil {
		s.unindex(e, prevLeaf, prevLabel, hadLabel, hadAssistant)
		return "", err
	}
	return e.ID, nil
}

// persist writes e, or, on the first assistant message, the header and every
// buffered entry in one write (pi's lazy first write).
func (s *Session) persist(e *Entry) error {
	if s.flushed {
		return s.write(append(e.raw[:len(e.raw):len(e.raw)], '\n'), needsSync(e))
	}
	if !s.hasAssistant {
		return nil
	}
	return s.flushAll()
}

// flushAll creates the file with the header and every entry in one write.
func (s *Session) flushAll() error {
	var buf bytes.Buffer
	buf.Write(s.header.raw)
	buf.WriteByte('\n')
	for _, x := range s.entries {
		buf.Write(x.raw)
		buf.WriteByte('\n')
	}
	if err := s.create(); err != nil {
		return err
	}
	if err := s.write(buf.Bytes(), true); err != nil {
		return err
	}
	s.flushed = true
	if s.store.opts.Sync != SyncNever {
		if err := syncDir(filepath.Dir(s.path)); err != nil {
			return fmt.Errorf("session: sync dir of %s: %w", s.path, err)
		}
	}
	return nil
}

// needsSync says whether SyncTurn fsyncs after writing e.
func needsSync(e *Entry) bool {
	switch e.Type {
	case TypeCompaction, TypeBranchSummary:
		return true
	case TypeMessage:
		return e.Message.Role == ai.RoleAssistant
	}
	return false
}

// create makes the session file (and its directory); it must not exist.
func (s *Session) create() error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("session: create dir for %s: %w", s.path, err)
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("session: create %s: %w", s.path, err)
	}
	s.f, s.size = f, 0
	return nil
}

// write appends whole lines. A torn tail left by a crash is cut off first,
// so a new line never glues onto a fragment; a write that fails part-way is
// cut off the same way before the next one.
func (s *Session) write(b []byte, turnEnd bool) error {
	if s.f == nil {
		f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return fmt.Errorf("session: open %s for append: %w", s.path, err)
		}
		s.f = f
	}
	if s.repairAt >= 0 {
		if err := s.f.Truncate(s.repairAt); err != nil {
			return fmt.Errorf("session: cut torn tail of %s: %w", s.path, err)
		}
		s.size, s.repairAt = s.repairAt, -1
	}
	if s.needNL {
		b = append([]byte{'\n'}, b...)
	}
	n, err := s.f.Write(b)
	if err != nil {
		if n > 0 {
			s.repairAt = s.size
		}
		return fmt.Errorf("session: append to %s: %w", s.path, err)
	}
	s.size += int64(n)
	s.needNL = false
	sync := s.store.opts.Sync
	if sync == SyncAlways || (sync == SyncTurn && turnEnd) {
		if err := s.f.Sync(); err != nil {
			return fmt.Errorf("session: sync %s: %w", s.path, err)
		}
	}
	return nil
}

// AppendMessage appends a message entry. Summary roles are not messages in
// the file (pi keeps them as their own entry types).
func (s *Session) AppendMessage(m ai.Message) (string, error) {
	if m.Role == ai.RoleBranchSummary || m.Role == ai.RoleCompactionSummary {
		return "", fmt.Errorf("session: %s is stored as its own entry type, not a message", m.Role)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appendLocked(&Entry{Type: TypeMessage, Message: &m})
}

// AppendModelChange records a model switch.
func (s *Session) AppendModelChange(provider, modelID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appendLocked(&Entry{Type: TypeModelChange, Provider: provider, ModelID: modelID})
}

// AppendThinkingLevelChange records a thinking level switch.
func (s *Session) AppendThinkingLevelChange(level string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appendLocked(&Entry{Type: TypeThinkingLevelChange, ThinkingLevel: level})
}

// Compaction is the payload of a compaction entry.
type Compaction struct {
	Summary          string
	FirstKeptEntryID string
	TokensBefore     int
	Details          json.RawMessage // optional
	FromHook         *bool           // optional; true when an extension produced it
}

// AppendCompaction records a compaction.
func (s *Session) AppendCompaction(c Compaction) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appendLocked(&Entry{Type: TypeCompaction, Summary: c.Summary, FirstKeptEntryID: c.FirstKeptEntryID,
		TokensBefore: c.TokensBefore, Details: c.Details, FromHook: c.FromHook})
}

// AppendCustom records extension state (never part of the LLM context).
func (s *Session) AppendCustom(customType string, data json.RawMessage) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appendLocked(&Entry{Type: TypeCustom, CustomType: customType, Data: data})
}

// AppendCustomMessage records an extension message that is part of the LLM
// context. m's CustomType, Content (ContentIsString), Display and Details are
// stored; its timestamp becomes the entry's.
func (s *Session) AppendCustomMessage(m ai.Message) (string, error) {
	m.Role = ai.RoleCustom
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appendLocked(&Entry{Type: TypeCustomMessage, CustomType: m.CustomType, Details: m.Details, Message: &m})
}

// SetName appends a session_info entry with the trimmed name; "" clears it.
func (s *Session) SetName(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appendLocked(&Entry{Type: TypeSessionInfo, Name: strings.TrimSpace(name)})
}

// SetLabel appends a label entry for targetID; "" clears the label.
func (s *Session) SetLabel(targetID, label string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.setLabelLocked(targetID, label)
}

func (s *Session) setLabelLocked(targetID, label string) (string, error) {
	if _, ok := s.byID[targetID]; !ok {
		return "", fmt.Errorf("%w: %s", ErrEntryNotFound, targetID)
	}
	return s.appendLocked(&Entry{Type: TypeLabel, TargetID: targetID, Label: label})
}
