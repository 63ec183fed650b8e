// Package compaction shrinks a long session the way pi does: it picks a cut
// point that keeps the most recent context, asks the model for a structured
// summary of everything before it, and tracks which files were read and
// modified. It also writes the summaries used when leaving a branch. It works
// on a plain list of path entries so it does not depend on the session store.
package compaction

import (
	"encoding/json"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// Entry kinds, as the session file spells its entry types.
const (
	KindMessage             = "message"
	KindCompaction          = "compaction"
	KindBranchSummary       = "branch_summary"
	KindCustomMessage       = "custom_message"
	KindCustom              = "custom"
	KindModelChange         = "model_change"
	KindThinkingLevelChange = "thinking_level_change"
	KindLabel               = "label"
	KindSessionInfo         = "session_info"
)

// Entry is one session entry on the current path (root first), reduced to
// what compaction needs.
type Entry struct {
	ID        string
	Kind      string
	Timestamp int64 // Unix milliseconds of the entry

	// Message is the message of a message entry, and for a custom_message
	// entry the equivalent role "custom" message.
	Message *ai.Message

	// compaction and branch_summary
	Summary  string
	Details  json.RawMessage
	FromHook bool // produced by an extension; its details are not trusted

	// compaction
	FirstKeptEntryID string
	TokensBefore     int

	// branch_summary
	FromID string
}

// message returns the message an entry contributes to a conversation, if any.
// Compaction entries become their summary message.
func (e *Entry) message() (ai.Message, bool) {
	switch e.Kind {
	case KindMessage, KindCustomMessage:
		if e.Message == nil {
			return ai.Message{}, false
		}
		return *e.Message, true
	case KindBranchSummary:
		return ai.Message{Role: ai.RoleBranchSummary, Summary: e.Summary, FromID: e.FromID, Timestamp: e.Timestamp}, true
	case KindCompaction:
		return ai.Message{Role: ai.RoleCompactionSummary, Summary: e.Summary, TokensBefore: e.TokensBefore, Timestamp: e.Timestamp}, true
	}
	return ai.Message{}, false
}

// ContextMessages is the conversation pi sends for a path: with a compaction,
// its summary, then the entries it kept, then everything after it.
func ContextMessages(path []Entry) []ai.Message {
	ci := lastCompaction(path)
	var out []ai.Message
	add := func(e *Entry) {
		switch e.Kind {
		case KindMessage, KindCustomMessage:
			if m, ok := e.message(); ok {
				out = append(out, m)
			}
		case KindBranchSummary:
			if e.Summary != "" {
				m, _ := e.message()
				out = append(out, m)
			}
		}
	}
	if ci < 0 {
		for i := range path {
			add(&path[i])
		}
		return out
	}
	c := &path[ci]
	m, _ := c.message()
	out = append(out, m)
	kept := false
	for i := 0; i < ci; i++ {
		if path[i].ID == c.FirstKeptEntryID {
			kept = true
		}
		if kept {
			add(&path[i])
		}
	}
	for i := ci + 1; i < len(path); i++ {
		add(&path[i])
	}
	return out
}

// lastCompaction returns the index of the last compaction entry, or -1.
func lastCompaction(path []Entry) int {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i].Kind == KindCompaction {
			return i
		}
	}
	return -1
}
