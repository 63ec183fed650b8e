package session

import (
	"fmt"
	"github.com/pi-forge/pi-forge/internal/jsonw"
	"path/filepath"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// ForkPosition says where a fork cuts the source path.
type ForkPosition int

const (
	// ForkAt keeps the path from the root to the entry itself (pi's /clone
	// at an entry; pi-forge's POST /sessions/{id}/fork).
	ForkAt ForkPosition = iota
	// ForkBefore needs a user message and keeps the path to its parent, so
	// the message can be edited and sent again (pi's /fork).
	ForkBefore
)

// ForkResult is a fork's new session and, for ForkBefore, the text of the
// user message it was cut before.
type ForkResult struct {
	Session      *Session
	SelectedText string
}

// Fork copies the path from the root to entryID (or to its parent, for
// ForkBefore) into a new session file next to src, as pi's
// createBranchedSession does: copied entries keep their ids, label entries
// are dropped and the labels of copied entries are re-created after the last
// one, and the header's parentSession is src's path. The file is written at
// once when the path holds an assistant message, otherwise lazily. Forking
// before a root message gives an empty session. src is not changed.
func (st *Store) Fork(src *Session, entryID string, pos ForkPosition) (ForkResult, error) {
	src.mu.Lock()
	defer src.mu.Unlock()
	e, ok := src.byID[entryID]
	if !ok {
		return ForkResult{}, fmt.Errorf("%w: %s", ErrEntryNotFound, entryID)
	}
	var res ForkResult
	cut := entryID
	if pos == ForkBefore {
		if e.Role() != ai.RoleUser || e.Type != TypeMessage {
			return ForkResult{}, fmt.Errorf("session: fork before %s: not a user message", entryID)
		}
		cut = e.ParentID
		res.SelectedText = userText(e.Message)
	}
	ns := st.newSession(filepath.Dir(src.path), src.header.Cwd, src.path)
	var path []*Entry
	if cut != "" {
		path = src.pathLocked(cut)
	}
	if err := copyWithoutLabels(ns, path); err != nil {
		return ForkResult{}, err
	}
	for _, pe := range path {
		l, ok := src.labels[pe.ID]
		if !ok || pe.Type == TypeLabel {
			continue
		}
		le := &Entry{Type: TypeLabel, TargetID: pe.ID, Label: l.label, Timestamp: l.timestamp, ParentID: ns.leaf}
		le.ID = st.newEntryID(func(id string) bool { _, ok := ns.byID[id]; return ok })
		raw, err := encodeEntry(le)
		if err != nil {
			return ForkResult{}, err
		}
		le.raw = raw
		ns.index(le)
	}
	if ns.hasAssistant {
		if err := ns.flushAll(); err != nil {
			return ForkResult{}, err
		}
	}
	res.Session = ns
	return res, nil
}

// copyWithoutLabels adds path to ns without its label entries. An entry
// whose parent was a label is re-linked to the label's parent, rewriting its
// parentId. (pi drops the labels without re-linking, which leaves every entry
// after a mid-path label an orphan in the forked file.)
func copyWithoutLabels(ns *Session, path []*Entry) error {
	relink := map[string]string{} // dropped label id -> its parent
	for _, pe := range path {
		if pe.Type == TypeLabel {
			relink[pe.ID] = pe.ParentID
			continue
		}
		parent, moved := pe.ParentID, false
		for {
			up, ok := relink[parent]
			if !ok {
				break
			}
			parent, moved = up, true
		}
		if moved {
			re, err := withParent(pe, parent)
			if err != nil {
				return err
			}
			pe = re
		}
		ns.index(pe)
	}
	return nil
}

// withParent returns a copy of e with another parentId, its other bytes kept.
func withParent(e *Entry, parent string) (*Entry, error) {
	o, err := parseOrdered(e.raw)
	if err != nil {
		return nil, fmt.Errorf("session: relink %s: %w", e.ID, err)
	}
	if parent == "" {
		o.set("parentId", []byte("null"))
	} else {
		o.set("parentId", jsonw.AppendString(nil, parent))
	}
	c := *e
	c.ParentID, c.raw = parent, o.encode()
	return &c, nil
}

// ForkFrom copies a whole session file into projectID's dir for cwd (pi's
// forkFrom, used when a session of another project is opened): a new header
// with parentSession = srcPath, then every entry of the source verbatim. The
// new file is written at once.
func (st *Store) ForkFrom(srcPath, projectID, cwd string) (*Session, error) {
	dir, err := st.ProjectDir(projectID)
	if err != nil {
		return nil, err
	}
	src, err := st.Open(srcPath)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if !src.Persisted() {
		return nil, fmt.Errorf("%w: cannot fork %s: no session there", ErrNotFound, srcPath)
	}
	abs, _ := filepath.Abs(srcPath)
	ns := st.newSession(dir, cwd, abs)
	for _, e := range src.Entries() {
		ns.index(e)
	}
	if err := ns.flushAll(); err != nil {
		return nil, err
	}
	return ns, nil
}
