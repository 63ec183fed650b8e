package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// jsonObj writes one compact JSON object key by key, in the order pi's
// writers use, so new lines look like the ones JSON.stringify produces.
type jsonObj struct {
	b     []byte
	first bool
}

func newJSONObj() *jsonObj { return &jsonObj{b: append(make([]byte, 0, 256), '{'), first: true} }

func (o *jsonObj) key(k string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = appendJSString(o.b, k)
	o.b = append(o.b, ':')
}

func (o *jsonObj) str(k, v string) { o.key(k); o.b = appendJSString(o.b, v) }

func (o *jsonObj) optStr(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}

// parent writes a parentId: null for a root.
func (o *jsonObj) parent(v string) {
	o.key("parentId")
	if v == "" {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = appendJSString(o.b, v)
}

func (o *jsonObj) num(k string, v int) { o.key(k); o.b = strconv.AppendInt(o.b, int64(v), 10) }

func (o *jsonObj) boolean(k string, v bool) { o.key(k); o.b = strconv.AppendBool(o.b, v) }

func (o *jsonObj) raw(k string, v []byte) { o.key(k); o.b = append(o.b, v...) }

func (o *jsonObj) optRaw(k string, v []byte) {
	if len(v) > 0 {
		o.raw(k, v)
	}
}

func (o *jsonObj) done() []byte { return append(o.b, '}') }

// appendJSString quotes s the way JavaScript's JSON.stringify does: only ",
// \ and control characters are escaped (encoding/json also escapes <, >, &
// and U+2028/2029, which would make our lines differ from pi's for no gain).
// Invalid UTF-8 becomes U+FFFD, as Node does when decoding the file.
func appendJSString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, "\ufffd"...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch {
		case c == '"':
			b = append(b, '\\', '"')
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}

// encodeHeader renders a header in pi's key order.
func encodeHeader(h *Header) []byte {
	o := newJSONObj()
	o.str("type", TypeSession)
	o.num("version", h.Version)
	o.str("id", h.ID)
	o.str("timestamp", h.Timestamp)
	o.str("cwd", h.Cwd)
	o.optStr("parentSession", h.ParentSession)
	return o.done()
}

// encodeEntry renders a new entry of a known type in pi's key order:
// type,id,parentId,timestamp,<payload>, except custom and custom_message,
// which pi writes as type,customType,<payload>,id,parentId,timestamp.
func encodeEntry(e *Entry) ([]byte, error) {
	o := newJSONObj()
	o.str("type", e.Type)
	switch e.Type {
	case TypeCustom:
		o.str("customType", e.CustomType)
		o.optRaw("data", e.Data)
		o.common(e)
		return o.done(), nil
	case TypeCustomMessage:
		o.str("customType", e.CustomType)
		content, err := contentJSON(e)
		if err != nil {
			return nil, err
		}
		o.raw("content", content)
		o.boolean("display", e.Message.Display)
		o.optRaw("details", e.Details)
		o.common(e)
		return o.done(), nil
	}
	o.common(e)
	switch e.Type {
	case TypeMessage:
		m, err := e.Message.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("session: encode message: %w", err)
		}
		o.raw("message", unescapeHTML(m))
	case TypeModelChange:
		o.str("provider", e.Provider)
		o.str("modelId", e.ModelID)
	case TypeThinkingLevelChange:
		o.str("thinkingLevel", e.ThinkingLevel)
	case TypeCompaction:
		o.str("summary", e.Summary)
		o.str("firstKeptEntryId", e.FirstKeptEntryID)
		o.num("tokensBefore", e.TokensBefore)
		o.optRaw("details", e.Details)
		if e.FromHook != nil {
			o.boolean("fromHook", *e.FromHook)
		}
	case TypeBranchSummary:
		o.str("fromId", e.FromID)
		o.str("summary", e.Summary)
		o.optRaw("details", e.Details)
		if e.FromHook != nil {
			o.boolean("fromHook", *e.FromHook)
		}
	case TypeLabel:
		o.str("targetId", e.TargetID)
		o.optStr("label", e.Label)
	case TypeSessionInfo:
		o.str("name", e.Name)
	default:
		return nil, fmt.Errorf("session: cannot encode entry type %q", e.Type)
	}
	return o.done(), nil
}

func (o *jsonObj) common(e *Entry) {
	o.str("id", e.ID)
	o.parent(e.ParentID)
	o.str("timestamp", e.Timestamp)
}

// contentJSON renders a custom_message's content as string or block array.
func contentJSON(e *Entry) ([]byte, error) {
	m := e.Message
	if m.ContentIsString {
		text := ""
		if len(m.Content) > 0 {
			text = m.Content[0].Text
		}
		return appendJSString(nil, text), nil
	}
	if m.Content == nil {
		return []byte("[]"), nil
	}
	b, err := json.Marshal(m.Content)
	if err != nil {
		return nil, fmt.Errorf("session: encode custom_message content: %w", err)
	}
	return unescapeHTML(b), nil
}

// unescapeHTML undoes the escapes encoding/json adds for <, >, & and
// U+2028/2029 (ai's marshalling uses it), so a line reads as pi's
// JSON.stringify would write it. Escape pairs are consumed whole, so an
// escaped backslash followed by "u003c" text is left alone.
func unescapeHTML(b []byte) []byte {
	if !bytes.Contains(b, []byte(`\u`)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out = append(out, b[i])
			continue
		}
		if b[i+1] == 'u' && i+6 <= len(b) {
			switch string(b[i+2 : i+6]) {
			case "003c":
				out, i = append(out, '<'), i+5
				continue
			case "003e":
				out, i = append(out, '>'), i+5
				continue
			case "0026":
				out, i = append(out, '&'), i+5
				continue
			case "2028":
				out, i = append(out, "\u2028"...), i+5
				continue
			case "2029":
				out, i = append(out, "\u2029"...), i+5
				continue
			}
		}
		out = append(out, b[i], b[i+1])
		i++
	}
	return out
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
