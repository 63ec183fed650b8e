package session

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// LeafID returns the current leaf ("" when before the first entry).
func (s *Session) LeafID() string { s.mu.Lock(); defer s.mu.Unlock(); return s.leaf }

// Entry returns the entry with id.
func (s *Session) Entry(id string) (*Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	return e, ok
}

// Entries returns every entry in file order. Entries are immutable; the
// slice is the caller's.
func (s *Session) Entries() []*Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.entries)
}

// ActivePath returns the entries from the root to the leaf.
func (s *Session) ActivePath() []*Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pathLocked(s.leaf)
}

// PathTo returns the entries from the root to id (nil if id is unknown).
func (s *Session) PathTo(id string) []*Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pathLocked(id)
}

// pathLocked walks parentId links from id to the root. A cycle (possible
// only in a hand-edited file) stops the walk instead of looping forever.
func (s *Session) pathLocked(id string) []*Entry {
	var path []*Entry
	seen := map[string]bool{}
	for e := s.byID[id]; e != nil && !seen[e.ID]; e = s.byID[e.ParentID] {
		seen[e.ID] = true
		path = append(path, e)
		if e.ParentID == "" {
			break
		}
	}
	slices.Reverse(path)
	return path
}

// Label returns the label of entry id ("" if none).
func (s *Session) Label(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.labels[id].label
}

// Name returns the session name: the name of the last session_info entry in
// file order, on any branch. An empty name there clears it (current pi; the
// older spec skipped empty ones, which made clearing a name impossible).
func (s *Session) Name() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.entries) - 1; i >= 0; i-- {
		if s.entries[i].Type == TypeSessionInfo {
			return strings.TrimSpace(s.entries[i].Name)
		}
	}
	return ""
}

// Branch moves the leaf to id. Nothing is written: the move shows on disk
// only through the parentId of the next appended entry.
func (s *Session) Branch(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[id]; !ok {
		return fmt.Errorf("%w: %s", ErrEntryNotFound, id)
	}
	s.leaf = id
	return nil
}

// ResetLeaf moves the leaf before the first entry; the next append is a root.
func (s *Session) ResetLeaf() { s.mu.Lock(); defer s.mu.Unlock(); s.leaf = "" }

// BranchSummary is the payload of a branch_summary entry.
type BranchSummary struct {
	Summary  string
	Details  []byte // optional JSON
	FromHook *bool  // optional
}

// BranchWithSummary moves the leaf to fromID ("" = root) and appends a
// branch_summary there; its fromId is fromID or "root" (what pi writes).
func (s *Session) BranchWithSummary(fromID string, bs BranchSummary) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.branchWithSummaryLocked(fromID, bs)
}

func (s *Session) branchWithSummaryLocked(fromID string, bs BranchSummary) (string, error) {
	if _, ok := s.byID[fromID]; fromID != "" && !ok {
		return "", fmt.Errorf("%w: %s", ErrEntryNotFound, fromID)
	}
	s.leaf = fromID
	attach := cmp.Or(fromID, "root")
	return s.appendLocked(&Entry{Type: TypeBranchSummary, FromID: attach, Summary: bs.Summary, Details: bs.Details, FromHook: bs.FromHook})
}

// AbandonedEntries returns what leaving the current leaf for targetID
// abandons: the entries from the common ancestor (exclusive) to the leaf, in
// order. The agent summarises them before calling Navigate with a summary.
func (s *Session) AbandonedEntries(targetID string) ([]*Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[targetID]; !ok {
		return nil, fmt.Errorf("%w: %s", ErrEntryNotFound, targetID)
	}
	if s.leaf == "" {
		return nil, nil
	}
	onTarget := map[string]bool{}
	for _, e := range s.pathLocked(targetID) {
		onTarget[e.ID] = true
	}
	old := s.pathLocked(s.leaf)
	i := len(old)
	for i > 0 && !onTarget[old[i-1].ID] {
		i--
	}
	return old[i:], nil
}

// NavigateOptions are the optional parts of an in-place navigation.
type NavigateOptions struct {
	// Summary, when set, is stored as a branch_summary at the new position.
	Summary BranchSummary
	// Label bookmarks the summary entry, or the target when there is none.
	Label string
}

// NavigateResult tells the caller where the leaf went.
type NavigateResult struct {
	LeafID         string // "" = before the first entry
	EditorText     string // the target's text when it was a user or custom message
	HasEditorText  bool
	SummaryEntryID string
}

// Navigate moves the leaf in place (pi's /tree). A user message or
// custom_message target puts the leaf on its parent and hands its text back
// for editing; any other target becomes the leaf. An optional branch summary
// is attached at the new position, and an optional label on the summary (or
// on the target when there is no summary). Navigating to the leaf is a no-op.
func (s *Session) Navigate(targetID string, o NavigateOptions) (NavigateResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if targetID == s.leaf {
		return NavigateResult{LeafID: s.leaf}, nil
	}
	target, ok := s.byID[targetID]
	if !ok {
		return NavigateResult{}, fmt.Errorf("%w: %s", ErrEntryNotFound, targetID)
	}
	var res NavigateResult
	newLeaf := targetID
	if target.Type == TypeCustomMessage || target.Role() == ai.RoleUser {
		newLeaf = target.ParentID
		res.EditorText, res.HasEditorText = userText(target.Message), true
	}
	if o.Summary.Summary != "" {
		id, err := s.branchWithSummaryLocked(newLeaf, o.Summary)
		if err != nil {
			return NavigateResult{}, err
		}
		res.SummaryEntryID = id
		if o.Label != "" {
			if _, err := s.setLabelLocked(id, o.Label); err != nil {
				return NavigateResult{}, err
			}
		}
	} else {
		s.leaf = newLeaf
		if o.Label != "" {
			if _, err := s.setLabelLocked(targetID, o.Label); err != nil {
				return NavigateResult{}, err
			}
		}
	}
	res.LeafID = s.leaf
	return res, nil
}

// userText joins a message's text blocks without separator, as pi does when
// it puts a message back into the editor.
func userText(m *ai.Message) string {
	if m == nil {
		return ""
	}
	return m.Text()
}

// TreeNode is one entry with its children, sorted by timestamp.
type TreeNode struct {
	Entry    *Entry
	Label    string
	Children []*TreeNode
}

// Tree returns the roots of the entry tree. Entries whose parent is null,
// unknown or themselves are roots; children are sorted oldest first.
func (s *Session) Tree() []*TreeNode {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.treeLocked()
}

func (s *Session) treeLocked() []*TreeNode {
	nodes := make(map[string]*TreeNode, len(s.entries))
	order := make([]*TreeNode, 0, len(s.entries))
	for _, e := range s.entries {
		if s.byID[e.ID] != e {
			continue // a duplicated id: like the index, the tree keeps the last
		}
		n := &TreeNode{Entry: e, Label: s.labels[e.ID].label}
		nodes[e.ID] = n
		order = append(order, n)
	}
	var roots []*TreeNode
	for _, n := range order {
		p, ok := nodes[n.Entry.ParentID]
		if n.Entry.ParentID == "" || n.Entry.ParentID == n.Entry.ID || !ok {
			roots = append(roots, n)
			continue
		}
		p.Children = append(p.Children, n)
	}
	for _, n := range order {
		slices.SortStableFunc(n.Children, func(a, b *TreeNode) int {
			return cmp.Compare(isoMillis(a.Entry.Timestamp), isoMillis(b.Entry.Timestamp))
		})
	}
	return roots
}

// TreeView is the body of GET /sessions/{id}/tree.
type TreeView struct {
	LeafID    *string     `json:"leafId"`
	BranchIDs []string    `json:"branchIds"`
	Entries   []TreeEntry `json:"entries"`
}

// TreeEntry is one entry of a TreeView.
type TreeEntry struct {
	ID        string  `json:"id"`
	ParentID  *string `json:"parentId"`
	Type      string  `json:"type"`
	Timestamp string  `json:"timestamp"`
	Role      string  `json:"role,omitempty"`
	Preview   string  `json:"preview,omitempty"`
	Label     string  `json:"label,omitempty"`
}

// PreviewMax is the longest preview in runes, ellipsis included.
const PreviewMax = 200

// TreeView returns the tree route's data: entries in depth-first order with
// children oldest first, and the ids of the active path root to leaf.
func (s *Session) TreeView() TreeView {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := TreeView{BranchIDs: []string{}, Entries: make([]TreeEntry, 0, len(s.entries))}
	if s.leaf != "" {
		leaf := s.leaf
		v.LeafID = &leaf
	}
	for _, e := range s.pathLocked(s.leaf) {
		v.BranchIDs = append(v.BranchIDs, e.ID)
	}
	stack := slices.Clone(s.treeLocked())
	slices.Reverse(stack)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		v.Entries = append(v.Entries, treeEntry(n))
		for i := len(n.Children) - 1; i >= 0; i-- {
			stack = append(stack, n.Children[i])
		}
	}
	return v
}

func treeEntry(n *TreeNode) TreeEntry {
	e := n.Entry
	te := TreeEntry{ID: e.ID, Type: e.Type, Timestamp: e.Timestamp, Label: n.Label, Preview: Preview(entryText(e))}
	if e.ParentID != "" {
		p := e.ParentID
		te.ParentID = &p
	}
	if e.Type == TypeMessage {
		te.Role = e.Message.Role
	}
	return te
}

// entryText is what a preview of e shows.
func entryText(e *Entry) string {
	switch e.Type {
	case TypeMessage, TypeCustomMessage:
		m := e.Message
		if m.Role == ai.RoleBashExecution {
			return "$ " + m.Command
		}
		if t := m.Text(); strings.TrimSpace(t) != "" {
			return t
		}
		var names []string
		for _, c := range m.ToolCalls() {
			names = append(names, c.Name)
		}
		return strings.Join(names, ", ")
	case TypeCompaction, TypeBranchSummary:
		return e.Summary
	case TypeModelChange:
		return e.Provider + "/" + e.ModelID
	case TypeThinkingLevelChange:
		return e.ThinkingLevel
	case TypeLabel:
		return e.Label
	case TypeSessionInfo:
		return e.Name
	}
	return ""
}

// Preview collapses whitespace and cuts text to PreviewMax runes, ending a
// cut text with "…".
func Preview(text string) string {
	text = strings.Join(strings.FieldsFunc(text, unicode.IsSpace), " ")
	if utf8.RuneCountInString(text) <= PreviewMax {
		return text
	}
	r := []rune(text)
	return string(r[:PreviewMax-1]) + "…"
}
