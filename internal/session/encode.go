package session

import (
	"encoding/json"
	"fmt"
	"github.com/pi-forge/pi-forge/internal/jsonw"
	"time"
)

func newJSONObj() *jsonw.Obj { return jsonw.NewObj(make([]byte, 0, 256)) }

// done closes an object whose fields cannot fail (no Value calls).
func done(o *jsonw.Obj) []byte {
	b, _ := o.Done()
	return b
}

// encodeHeader renders a header in pi's key order.
func encodeHeader(h *Header) []byte {
	o := newJSONObj()
	o.Str("type", TypeSession)
	o.Int("version", int64(h.Version))
	o.Str("id", h.ID)
	o.Str("timestamp", h.Timestamp)
	o.Str("cwd", h.Cwd)
	o.OptStr("parentSession", h.ParentSession)
	return done(o)
}

// encodeEntry renders a new entry of a known type in pi's key order:
// type,id,parentId,timestamp,<payload>, except custom and custom_message,
// which pi writes as type,customType,<payload>,id,parentId,timestamp.
func encodeEntry(e *Entry) ([]byte, error) {
	o := newJSONObj()
	o.Str("type", e.Type)
	switch e.Type {
	case TypeCustom:
		o.Str("customType", e.CustomType)
		o.OptRaw("data", e.Data)
		writeCommon(o, e)
		return done(o), nil
	case TypeCustomMessage:
		o.Str("customType", e.CustomType)
		content, err := contentJSON(e)
		if err != nil {
			return nil, err
		}
		o.Raw("content", content)
		o.Bool("display", e.Message.Display)
		o.OptRaw("details", e.Details)
		writeCommon(o, e)
		return done(o), nil
	}
	writeCommon(o, e)
	switch e.Type {
	case TypeMessage:
		m, err := e.Message.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("session: encode message: %w", err)
		}
		o.Raw("message", m)
	case TypeModelChange:
		o.Str("provider", e.Provider)
		o.Str("modelId", e.ModelID)
	case TypeThinkingLevelChange:
		o.Str("thinkingLevel", e.ThinkingLevel)
	case TypeCompaction:
		o.Str("summary", e.Summary)
		o.Str("firstKeptEntryId", e.FirstKeptEntryID)
		o.Int("tokensBefore", int64(e.TokensBefore))
		o.OptRaw("details", e.Details)
		if e.FromHook != nil {
			o.Bool("fromHook", *e.FromHook)
		}
	case TypeBranchSummary:
		o.Str("fromId", e.FromID)
		o.Str("summary", e.Summary)
		o.OptRaw("details", e.Details)
		if e.FromHook != nil {
			o.Bool("fromHook", *e.FromHook)
		}
	case TypeLabel:
		o.Str("targetId", e.TargetID)
		o.OptStr("label", e.Label)
	case TypeSessionInfo:
		o.Str("name", e.Name)
	default:
		return nil, fmt.Errorf("session: cannot encode entry type %q", e.Type)
	}
	return done(o), nil
}

func writeCommon(o *jsonw.Obj, e *Entry) {
	o.Str("id", e.ID)
	o.StrOrNull("parentId", e.ParentID)
	o.Str("timestamp", e.Timestamp)
}

// contentJSON renders a custom_message's content as string or block array.
func contentJSON(e *Entry) ([]byte, error) {
	m := e.Message
	if m.ContentIsString {
		text := ""
		if len(m.Content) > 0 {
			text = m.Content[0].Text
		}
		return jsonw.AppendString(nil, text), nil
	}
	if m.Content == nil {
		return []byte("[]"), nil
	}
	b, err := json.Marshal(m.Content)
	if err != nil {
		return nil, fmt.Errorf("session: encode custom_message content: %w", err)
	}
	return b, nil
}

// isoTime formats t as JavaScript's Date.toISOString does.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// isoMillis parses an ISO timestamp to Unix milliseconds (0 if unparsable),
// as new Date(ts).getTime() does for the timestamps pi writes.
func isoMillis(ts string) int64 {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return 0
	}
	return t.UnixMilli()
}

// fileStamp turns an ISO timestamp into the file-name form (: and . -> -).
func fileStamp(iso string) string {
	b := []byte(iso)
	for i, c := range b {
		if c == ':' || c == '.' {
			b[i] = '-'
		}
	}
	return string(b)
}
