package session

import (
	"github.com/pi-forge/pi-forge/internal/ai"
)

// ModelRef names a model by provider and id.
type ModelRef struct {
	Provider string `json:"provider"`
	ModelID  string `json:"modelId"`
}

// Context is what the LLM sees on the active path (pi's buildSessionContext).
type Context struct {
	// Messages share their content with the session's entries: treat them
	// as read-only.
	Messages      []ai.Message
	ThinkingLevel string    // "off" unless a thinking_level_change says otherwise
	Model         *ModelRef // the last model_change or assistant message; nil if none
}

// BuildContext returns the messages of the path root to leaf with the last
// compaction applied: its summary first, then the entries kept from
// firstKeptEntryId up to the compaction, then everything after it.
func (s *Session) BuildContext() Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	return buildContext(s.pathLocked(s.leaf))
}

func buildContext(path []*Entry) Context {
	c := Context{ThinkingLevel: ai.ThinkingOff}
	compactAt := -1
	for i, e := range path {
		switch e.Type {
		case TypeThinkingLevelChange:
			c.ThinkingLevel = e.ThinkingLevel
		case TypeModelChange:
			c.Model = &ModelRef{e.Provider, e.ModelID}
		case TypeMessage:
			if e.Message.Role == ai.RoleAssistant {
				c.Model = &ModelRef{e.Message.Provider, e.Message.Model}
			}
		case TypeCompaction:
			compactAt = i
		}
	}
	c.Messages = make([]ai.Message, 0, len(path)+1)
	if compactAt < 0 {
		c.Messages = appendContext(c.Messages, path)
		return c
	}
	comp := path[compactAt]
	c.Messages = append(c.Messages, compactionSummary(comp))
	c.Messages = appendContext(c.Messages, path[keptFrom(path, compactAt):compactAt])
	c.Messages = appendContext(c.Messages, path[compactAt+1:])
	return c
}

// keptFrom is the index on path of the compaction's first kept entry, or the
// compaction's own index when that entry is not before it on the path (then
// nothing before the compaction is kept, as in pi).
func keptFrom(path []*Entry, compactAt int) int {
	want := path[compactAt].FirstKeptEntryID
	for i := range compactAt {
		if path[i].ID == want {
			return i
		}
	}
	return compactAt
}

// appendContext appends the messages entries stand for in the LLM context:
// messages as they are, custom_message as a custom-role message, a
// non-empty branch_summary as a branchSummary message; nothing for others.
func appendContext(out []ai.Message, entries []*Entry) []ai.Message {
	for _, e := range entries {
		switch e.Type {
		case TypeMessage, TypeCustomMessage:
			out = append(out, *e.Message)
		case TypeBranchSummary:
			if e.Summary != "" {
				out = append(out, ai.Message{Role: ai.RoleBranchSummary, Summary: e.Summary, FromID: e.FromID, Timestamp: isoMillis(e.Timestamp)})
			}
		}
	}
	return out
}

func compactionSummary(e *Entry) ai.Message {
	return ai.Message{Role: ai.RoleCompactionSummary, Summary: e.Summary, TokensBefore: e.TokensBefore, Timestamp: isoMillis(e.Timestamp)}
}

// CompactionInfo is one item of GET /sessions/{id}/compactions: a
// compaction on the active path and the messages it took out of the context.
type CompactionInfo struct {
	ID           string `json:"id"`
	Timestamp    string `json:"timestamp"`
	Summary      string `json:"summary"`
	TokensBefore int    `json:"tokensBefore"`
	// InsertBeforeIndex is where, in BuildContext().Messages, a card for this
	// compaction belongs: for the last compaction 1 (just after its summary
	// message, above the kept messages that follow the archived ones); for
	// earlier ones 0, since everything they kept was archived again later.
	InsertBeforeIndex int          `json:"insertBeforeIndex"`
	ArchivedMessages  []ai.Message `json:"archivedMessages"`
}

// Compactions lists the compactions on the active path, oldest first. Each
// one archives the context messages from where the previous compaction's
// kept range began (or the root) up to its own first kept entry. Unlike the
// reference, which walked the whole file, only the active path counts: a
// compaction on an abandoned branch never shaped this context.
func (s *Session) Compactions() []CompactionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := s.pathLocked(s.leaf)
	out := []CompactionInfo{}
	start := 0
	for i, e := range path {
		if e.Type != TypeCompaction {
			continue
		}
		kept := keptFrom(path, i)
		archived := []ai.Message{}
		if kept > start {
			archived = appendContext(archived, path[start:kept])
		}
		out = append(out, CompactionInfo{ID: e.ID, Timestamp: e.Timestamp, Summary: e.Summary,
			TokensBefore: e.TokensBefore, ArchivedMessages: archived})
		start = max(start, kept)
	}
	if n := len(out); n > 0 {
		out[n-1].InsertBeforeIndex = 1
	}
	return out
}
