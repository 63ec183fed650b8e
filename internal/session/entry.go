package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/tidwall/gjson"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// CurrentVersion is the session file version this package writes.
const CurrentVersion = 3

// Entry types, as pi spells them.
const (
	TypeSession             = "session"
	TypeMessage             = "message"
	TypeModelChange         = "model_change"
	TypeThinkingLevelChange = "thinking_level_change"
	TypeCompaction          = "compaction"
	TypeBranchSummary       = "branch_summary"
	TypeCustom              = "custom"
	TypeCustomMessage       = "custom_message"
	TypeLabel               = "label"
	TypeSessionInfo         = "session_info"
)

// Header is the first line of a session file. It is not part of the tree.
type Header struct {
	Version       int
	ID            string
	Timestamp     string // ISO-8601 UTC with milliseconds
	Cwd           string
	ParentSession string // absolute path of the source file for forks; "" otherwise

	raw []byte // the exact line, so unknown and legacy keys survive
}

// Raw returns the header's JSON line (without the newline).
func (h *Header) Raw() []byte { return h.raw }

// Entry is one line of the tree. Common fields and the payload of known types
// are decoded; Raw keeps the exact bytes read (or written), so an entry of a
// type or with keys this version does not know is written back unchanged.
type Entry struct {
	Type      string
	ID        string
	ParentID  string // "" for a root (parentId null)
	Timestamp string // ISO-8601 UTC with milliseconds

	// message (and custom_message, converted to a custom-role message).
	Message *ai.Message

	// model_change
	Provider string
	ModelID  string

	// thinking_level_change
	ThinkingLevel string

	// compaction and branch_summary
	Summary          string
	FirstKeptEntryID string
	TokensBefore     int
	FromID           string
	Details          json.RawMessage
	FromHook         *bool

	// custom and custom_message
	CustomType string
	Data       json.RawMessage

	// label
	TargetID string
	Label    string // "" clears

	// session_info
	Name string

	raw []byte
}

// Raw returns the entry's JSON line (without the newline).
func (e *Entry) Raw() []byte { return e.raw }

// Role is the message role of a message entry, "custom" for custom_message
// entries and "" for everything else.
func (e *Entry) Role() string {
	if e.Message != nil {
		return e.Message.Role
	}
	return ""
}

// wireEntry holds every field any known entry type may carry; one
// json.Unmarshal fills the ones present.
type wireEntry struct {
	Type             string          `json:"type"`
	ID               *string         `json:"id"`
	ParentID         *string         `json:"parentId"`
	Timestamp        string          `json:"timestamp"`
	Message          json.RawMessage `json:"message"`
	Provider         string          `json:"provider"`
	ModelID          string          `json:"modelId"`
	ThinkingLevel    string          `json:"thinkingLevel"`
	Summary          string          `json:"summary"`
	FirstKeptEntryID string          `json:"firstKeptEntryId"`
	TokensBefore     float64         `json:"tokensBefore"`
	FromID           string          `json:"fromId"`
	Details          json.RawMessage `json:"details"`
	FromHook         *bool           `json:"fromHook"`
	CustomType       string          `json:"customType"`
	Data             json.RawMessage `json:"data"`
	Content          json.RawMessage `json:"content"`
	Display          bool            `json:"display"`
	TargetID         string          `json:"targetId"`
	Label            *string         `json:"label"`
	Name             *string         `json:"name"`
}

// errNotEntry reports a line that is JSON but not a tree entry (no string id).
var errNotEntry = fmt.Errorf("session: line is not an entry")

// parseHeader decodes a header line; ok is false unless it is
// {"type":"session","id":<string>}.
func parseHeader(line []byte) (Header, bool) {
	if !gjson.ValidBytes(line) {
		return Header{}, false
	}
	return parseValidHeader(line)
}

// parseValidHeader is parseHeader for a line already known to be JSON.
func parseValidHeader(line []byte) (Header, bool) {
	f := gjson.GetManyBytes(line, "type", "id", "version", "timestamp", "cwd", "parentSession")
	if f[0].String() != TypeSession || f[1].Type != gjson.String {
		return Header{}, false
	}
	h := Header{ID: f[1].String(), Timestamp: f[3].String(), Cwd: f[4].String(), ParentSession: f[5].String(), raw: slices.Clip(line)}
	h.Version = 1
	if f[2].Type == gjson.Number {
		h.Version = int(f[2].Int())
	}
	return h, true
}

// parseEntry decodes a v3 entry line. The returned entry keeps line as Raw.
func parseEntry(line []byte) (*Entry, error) {
	if bytes.HasPrefix(line, prefixMessage) {
		return parseMessageEntry(line)
	}
	var w wireEntry
	if err := json.Unmarshal(line, &w); err != nil {
		return nil, err
	}
	if w.ID == nil || w.Type == "" || w.Type == TypeSession {
		return nil, errNotEntry
	}
	e := &Entry{Type: w.Type, ID: *w.ID, Timestamp: w.Timestamp, raw: slices.Clip(line)}
	if w.ParentID != nil {
		e.ParentID = *w.ParentID
	}
	switch w.Type {
	case TypeMessage:
		var m ai.Message
		if len(w.Message) > 0 {
			if err := json.Unmarshal(w.Message, &m); err != nil {
				return nil, fmt.Errorf("session: entry %s: %w", e.ID, err)
			}
		}
		e.Message = &m
	case TypeModelChange:
		e.Provider, e.ModelID = w.Provider, w.ModelID
	case TypeThinkingLevelChange:
		e.ThinkingLevel = w.ThinkingLevel
	case TypeCompaction:
		e.Summary, e.FirstKeptEntryID, e.TokensBefore = w.Summary, w.FirstKeptEntryID, int(w.TokensBefore)
		e.Details, e.FromHook = w.Details, w.FromHook
	case TypeBranchSummary:
		e.Summary, e.FromID, e.Details, e.FromHook = w.Summary, w.FromID, w.Details, w.FromHook
	case TypeCustom:
		e.CustomType, e.Data = w.CustomType, w.Data
	case TypeCustomMessage:
		e.CustomType, e.Details = w.CustomType, w.Details
		m, err := customMessage(e, w.Content, w.Display)
		if err != nil {
			return nil, err
		}
		e.Message = m
	case TypeLabel:
		e.TargetID = w.TargetID
		if w.Label != nil {
			e.Label = *w.Label
		}
	case TypeSessionInfo:
		if w.Name != nil {
			e.Name = *w.Name
		}
	}
	return e, nil
}

// parseMessageEntry is parseEntry for the line type that dominates every
// file: gjson picks the envelope fields and the message's bytes, so only
// the message goes through encoding/json (which re-validates every nested
// value it decodes).
func parseMessageEntry(line []byte) (*Entry, error) {
	if !gjson.ValidBytes(line) {
		return nil, errInvalidLine
	}
	f := gjson.GetManyBytes(line, "type", "id", "parentId", "timestamp", "message")
	if f[0].String() != TypeMessage || f[1].Type != gjson.String {
		return nil, errNotEntry
	}
	e := &Entry{Type: TypeMessage, ID: f[1].String(), Timestamp: f[3].String(), raw: slices.Clip(line)}
	if f[2].Type == gjson.String {
		e.ParentID = f[2].String()
	}
	var m ai.Message
	if f[4].Exists() && f[4].Type != gjson.Null {
		if err := json.Unmarshal(unsafeBytes(line, f[4]), &m); err != nil {
			return nil, fmt.Errorf("session: entry %s: %w", e.ID, err)
		}
	}
	e.Message = &m
	return e, nil
}

// unsafeBytes returns the bytes of a gjson result inside line without a copy.
func unsafeBytes(line []byte, r gjson.Result) []byte {
	if r.Index > 0 && r.Index+len(r.Raw) <= len(line) {
		return line[r.Index : r.Index+len(r.Raw)]
	}
	return []byte(r.Raw)
}

// errInvalidLine reports a line that is not valid JSON.
var errInvalidLine = fmt.Errorf("session: line is not valid JSON")

// customMessage builds the custom-role message a custom_message entry stands
// for in the LLM context (pi's createCustomMessage).
func customMessage(e *Entry, content json.RawMessage, display bool) (*ai.Message, error) {
	m := &ai.Message{Role: ai.RoleCustom, CustomType: e.CustomType, Display: display, Details: e.Details, Timestamp: isoMillis(e.Timestamp)}
	if len(content) > 0 && content[0] == '"' {
		var s string
		if err := json.Unmarshal(content, &s); err != nil {
			return nil, fmt.Errorf("session: entry %s content: %w", e.ID, err)
		}
		m.ContentIsString = true
		m.Content = []ai.Content{ai.TextContent(s)}
	} else if len(content) > 0 && string(content) != "null" {
		if err := json.Unmarshal(content, &m.Content); err != nil {
			return nil, fmt.Errorf("session: entry %s content: %w", e.ID, err)
		}
	}
	return m, nil
}
