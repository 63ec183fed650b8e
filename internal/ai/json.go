package ai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// objWriter writes a JSON object field by field in a fixed order. encoding/json
// cannot express "this key only for that role" on one struct, and pi's readers
// (and golden files) expect its exact key set, so the shapes are written here.
type objWriter struct {
	buf   bytes.Buffer
	first bool
	err   error
}

func newObj() *objWriter {
	w := &objWriter{first: true}
	w.buf.WriteByte('{')
	return w
}

func (w *objWriter) key(k string) {
	if !w.first {
		w.buf.WriteByte(',')
	}
	w.first = false
	w.buf.WriteString(strconv.Quote(k))
	w.buf.WriteByte(':')
}

func (w *objWriter) str(k, v string) {
	w.key(k)
	b, err := json.Marshal(v)
	if err != nil && w.err == nil {
		w.err = err
	}
	w.buf.Write(b)
}

func (w *objWriter) optStr(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *objWriter) boolean(k string, v bool) {
	w.key(k)
	w.buf.WriteString(strconv.FormatBool(v))
}

func (w *objWriter) integer(k string, v int64) {
	w.key(k)
	w.buf.WriteString(strconv.FormatInt(v, 10))
}

func (w *objWriter) raw(k string, v json.RawMessage) {
	w.key(k)
	w.buf.Write(v)
}

func (w *objWriter) value(k string, v any) {
	w.key(k)
	b, err := json.Marshal(v)
	if err != nil && w.err == nil {
		w.err = err
	}
	w.buf.Write(b)
}

func (w *objWriter) extra(m map[string]json.RawMessage) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		w.raw(k, m[k])
	}
}

func (w *objWriter) done() ([]byte, error) {
	w.buf.WriteByte('}')
	return w.buf.Bytes(), w.err
}

// MarshalJSON writes the block with pi's keys for its type.
func (c Content) MarshalJSON() ([]byte, error) {
	w := newObj()
	w.str("type", c.Type)
	switch c.Type {
	case ContentText:
		w.str("text", c.Text)
		w.optStr("textSignature", c.TextSignature)
	case ContentThinking:
		w.str("thinking", c.Thinking)
		w.optStr("thinkingSignature", c.ThinkingSignature)
		if c.Redacted {
			w.boolean("redacted", true)
		}
	case ContentImage:
		w.str("data", c.Data)
		w.str("mimeType", c.MimeType)
	case ContentToolCall:
		w.str("id", c.ID)
		w.str("name", c.Name)
		args := c.Arguments
		if len(args) == 0 {
			args = json.RawMessage("{}")
		}
		w.raw("arguments", args)
		w.optStr("thoughtSignature", c.ThoughtSignature)
	}
	w.extra(c.Extra)
	return w.done()
}

// UnmarshalJSON reads any block; keys not known for its type go to Extra.
func (c *Content) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*c = Content{}
	f := fields{m: m}
	c.Type = f.str("type")
	switch c.Type {
	case ContentText:
		c.Text = f.str("text")
		c.TextSignature = f.str("textSignature")
	case ContentThinking:
		c.Thinking = f.str("thinking")
		c.ThinkingSignature = f.str("thinkingSignature")
		c.Redacted = f.boolean("redacted")
	case ContentImage:
		c.Data = f.str("data")
		c.MimeType = f.str("mimeType")
	case ContentToolCall:
		c.ID = f.str("id")
		c.Name = f.str("name")
		c.Arguments = f.raw("arguments")
		c.ThoughtSignature = f.str("thoughtSignature")
	}
	c.Extra = f.rest()
	return f.err
}

// MarshalJSON writes the message with the keys pi writes for its role.
func (m Message) MarshalJSON() ([]byte, error) {
	w := newObj()
	w.str("role", m.Role)
	switch m.Role {
	case RoleUser:
		m.writeContent(w)
	case RoleAssistant:
		m.writeContent(w)
		w.str("api", m.API)
		w.str("provider", m.Provider)
		w.str("model", m.Model)
		w.optStr("responseModel", m.ResponseModel)
		w.optStr("responseId", m.ResponseID)
		if len(m.Diagnostics) > 0 {
			w.raw("diagnostics", m.Diagnostics)
		}
		w.value("usage", m.Usage)
		w.str("stopReason", string(m.StopReason))
		w.optStr("errorMessage", m.ErrorMessage)
	case RoleToolResult:
		w.str("toolCallId", m.ToolCallID)
		w.str("toolName", m.ToolName)
		m.writeContent(w)
		if len(m.Details) > 0 {
			w.raw("details", m.Details)
		}
		w.boolean("isError", m.IsError)
	case RoleBashExecution:
		w.str("command", m.Command)
		w.str("output", m.Output)
		if m.ExitCode != nil {
			w.integer("exitCode", int64(*m.ExitCode))
		}
		w.boolean("cancelled", m.Cancelled)
		w.boolean("truncated", m.Truncated)
		w.optStr("fullOutputPath", m.FullOutputPath)
		if m.ExcludeFromContext {
			w.boolean("excludeFromContext", true)
		}
	case RoleCustom:
		w.str("customType", m.CustomType)
		m.writeContent(w)
		w.boolean("display", m.Display)
		if len(m.Details) > 0 {
			w.raw("details", m.Details)
		}
	case RoleBranchSummary:
		w.str("summary", m.Summary)
		w.str("fromId", m.FromID)
	case RoleCompactionSummary:
		w.str("summary", m.Summary)
		w.integer("tokensBefore", int64(m.TokensBefore))
	}
	w.integer("timestamp", m.Timestamp)
	w.extra(m.Extra)
	return w.done()
}

func (m *Message) writeContent(w *objWriter) {
	if m.ContentIsString {
		text := ""
		if len(m.Content) > 0 {
			text = m.Content[0].Text
		}
		w.str("content", text)
		return
	}
	content := m.Content
	if content == nil {
		content = []Content{}
	}
	w.value("content", content)
}

// UnmarshalJSON reads any AgentMessage; unknown keys go to Extra. Roles this
// version does not know keep every key in Extra rather than failing, so a
// session written by a newer pi still loads.
func (m *Message) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*m = Message{}
	f := fields{m: raw}
	m.Role = f.str("role")
	m.Timestamp = f.int64("timestamp")
	switch m.Role {
	case RoleUser:
		m.readContent(&f)
	case RoleAssistant:
		m.readContent(&f)
		m.API = f.str("api")
		m.Provider = f.str("provider")
		m.Model = f.str("model")
		m.ResponseModel = f.str("responseModel")
		m.ResponseID = f.str("responseId")
		m.Diagnostics = f.raw("diagnostics")
		f.decode("usage", &m.Usage)
		m.StopReason = StopReason(f.str("stopReason"))
		m.ErrorMessage = f.str("errorMessage")
	case RoleToolResult:
		m.ToolCallID = f.str("toolCallId")
		m.ToolName = f.str("toolName")
		m.readContent(&f)
		m.Details = f.raw("details")
		m.IsError = f.boolean("isError")
	case RoleBashExecution:
		m.Command = f.str("command")
		m.Output = f.str("output")
		if v, ok := raw["exitCode"]; ok && string(v) != "null" {
			n := int(f.int64("exitCode"))
			m.ExitCode = &n
		} else {
			delete(raw, "exitCode")
		}
		m.Cancelled = f.boolean("cancelled")
		m.Truncated = f.boolean("truncated")
		m.FullOutputPath = f.str("fullOutputPath")
		m.ExcludeFromContext = f.boolean("excludeFromContext")
	case RoleCustom:
		m.CustomType = f.str("customType")
		m.readContent(&f)
		m.Display = f.boolean("display")
		m.Details = f.raw("details")
	case RoleBranchSummary:
		m.Summary = f.str("summary")
		m.FromID = f.str("fromId")
	case RoleCompactionSummary:
		m.Summary = f.str("summary")
		m.TokensBefore = int(f.int64("tokensBefore"))
	}
	m.Extra = f.rest()
	return f.err
}

func (m *Message) readContent(f *fields) {
	v, ok := f.m["content"]
	if !ok {
		return
	}
	delete(f.m, "content")
	if len(v) > 0 && v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			f.fail("content", err)
			return
		}
		m.ContentIsString = true
		m.Content = []Content{TextContent(s)}
		return
	}
	if err := json.Unmarshal(v, &m.Content); err != nil {
		f.fail("content", err)
	}
}

// fields pulls typed values out of a decoded object, deleting each key it
// reads so what remains is the unknown rest.
type fields struct {
	m   map[string]json.RawMessage
	err error
}

func (f *fields) fail(key string, err error) {
	if f.err == nil {
		f.err = fmt.Errorf("ai: field %q: %w", key, err)
	}
}

func (f *fields) take(key string) (json.RawMessage, bool) {
	v, ok := f.m[key]
	if ok {
		delete(f.m, key)
	}
	if ok && string(v) == "null" {
		return nil, false
	}
	return v, ok
}

func (f *fields) decode(key string, dst any) {
	if v, ok := f.take(key); ok {
		if err := json.Unmarshal(v, dst); err != nil {
			f.fail(key, err)
		}
	}
}

func (f *fields) str(key string) string {
	var s string
	f.decode(key, &s)
	return s
}

func (f *fields) boolean(key string) bool {
	var b bool
	f.decode(key, &b)
	return b
}

func (f *fields) int64(key string) int64 {
	var n float64 // pi writes JS numbers; accept 1.0 and 1e3 forms too
	f.decode(key, &n)
	return int64(n)
}

func (f *fields) raw(key string) json.RawMessage {
	v, _ := f.take(key)
	if v == nil {
		return nil
	}
	return slices.Clone(v)
}

func (f *fields) rest() map[string]json.RawMessage {
	if len(f.m) == 0 {
		return nil
	}
	return f.m
}
