package ai

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pi-forge/pi-forge/internal/jsonw"
)

// extraKeys writes unknown keys back in a stable order.
func extraKeys(w *jsonw.Obj, m map[string]json.RawMessage) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		w.Raw(k, m[k])
	}
}

// MarshalJSON writes the block with pi's keys for its type.
func (c Content) MarshalJSON() ([]byte, error) { return c.appendJSON(nil) }

func (c *Content) appendJSON(buf []byte) ([]byte, error) {
	w := jsonw.NewObj(buf)
	w.Str("type", c.Type)
	switch c.Type {
	case ContentText:
		w.Str("text", c.Text)
		w.OptStr("textSignature", c.TextSignature)
	case ContentThinking:
		w.Str("thinking", c.Thinking)
		w.OptStr("thinkingSignature", c.ThinkingSignature)
		if c.Redacted {
			w.Bool("redacted", true)
		}
	case ContentImage:
		w.Str("data", c.Data)
		w.Str("mimeType", c.MimeType)
	case ContentToolCall:
		w.Str("id", c.ID)
		w.Str("name", c.Name)
		args := c.Arguments
		if len(args) == 0 {
			args = json.RawMessage("{}")
		}
		w.Raw("arguments", args)
		w.OptStr("thoughtSignature", c.ThoughtSignature)
	}
	extraKeys(w, c.Extra)
	return w.Done()
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
	w := jsonw.NewObj(make([]byte, 0, 256))
	w.Str("role", m.Role)
	switch m.Role {
	case RoleUser:
		m.writeContent(w)
	case RoleAssistant:
		m.writeContent(w)
		w.Str("api", m.API)
		w.Str("provider", m.Provider)
		w.Str("model", m.Model)
		w.OptStr("responseModel", m.ResponseModel)
		w.OptStr("responseId", m.ResponseID)
		if len(m.Diagnostics) > 0 {
			w.Raw("diagnostics", m.Diagnostics)
		}
		w.Value("usage", m.Usage)
		w.Str("stopReason", string(m.StopReason))
		w.OptStr("errorMessage", m.ErrorMessage)
	case RoleToolResult:
		w.Str("toolCallId", m.ToolCallID)
		w.Str("toolName", m.ToolName)
		m.writeContent(w)
		if len(m.Details) > 0 {
			w.Raw("details", m.Details)
		}
		w.Bool("isError", m.IsError)
	case RoleBashExecution:
		w.Str("command", m.Command)
		w.Str("output", m.Output)
		if m.ExitCode != nil {
			w.Int("exitCode", int64(*m.ExitCode))
		}
		w.Bool("cancelled", m.Cancelled)
		w.Bool("truncated", m.Truncated)
		w.OptStr("fullOutputPath", m.FullOutputPath)
		if m.ExcludeFromContext {
			w.Bool("excludeFromContext", true)
		}
	case RoleCustom:
		w.Str("customType", m.CustomType)
		m.writeContent(w)
		w.Bool("display", m.Display)
		if len(m.Details) > 0 {
			w.Raw("details", m.Details)
		}
	case RoleBranchSummary:
		w.Str("summary", m.Summary)
		w.Str("fromId", m.FromID)
	case RoleCompactionSummary:
		w.Str("summary", m.Summary)
		w.Int("tokensBefore", int64(m.TokensBefore))
	}
	w.Int("timestamp", m.Timestamp)
	extraKeys(w, m.Extra)
	return w.Done()
}

func (m *Message) writeContent(w *jsonw.Obj) {
	if m.ContentIsString {
		text := ""
		if len(m.Content) > 0 {
			text = m.Content[0].Text
		}
		w.Str("content", text)
		return
	}
	b, err := AppendContents(nil, m.Content)
	if err != nil {
		w.Fail(err)
		return
	}
	w.Raw("content", b)
}

// AppendContents appends blocks as a JSON array, quoted as pi quotes them.
func AppendContents(buf []byte, blocks []Content) ([]byte, error) {
	buf = append(buf, '[')
	for i := range blocks {
		if i > 0 {
			buf = append(buf, ',')
		}
		var err error
		if buf, err = blocks[i].appendJSON(buf); err != nil {
			return nil, err
		}
	}
	return append(buf, ']'), nil
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
