package agent

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// Framing selects how message_update is written.
type Framing int

const (
	// FramingCompact writes message_update without the partial message (see
	// docs/sse.md): bytes per reply grow linearly, not quadratically.
	FramingCompact Framing = iota
	// FramingReference writes every event exactly as pi and the reference
	// pi-forge do, the full partial message included on each delta.
	FramingReference
)

// MarshalJSON writes the event as pi does (FramingReference).
func (e *Event) MarshalJSON() ([]byte, error) {
	return e.AppendJSON(nil, FramingReference)
}

// AppendJSON appends the event's JSON to dst. Only message_update differs
// between framings. A compact text delta is written without allocating.
func (e *Event) AppendJSON(dst []byte, f Framing) ([]byte, error) {
	w := jsonWriter{b: dst}
	w.open()
	w.str("type", e.Type)
	switch e.Type {
	case EventAgentEnd:
		w.value("messages", nonNilMessages(e.Messages))
		w.boolean("willRetry", e.WillRetry)
		w.optStr("errorMessage", e.ErrorMessage)
	case EventTurnEnd:
		w.value("message", e.Message)
		w.value("toolResults", nonNilMessages(e.ToolResults))
	case EventMessageStart, EventMessageEnd:
		w.value("message", e.Message)
	case EventMessageUpdate:
		e.writeUpdate(&w, f)
	case EventToolExecutionStart:
		w.str("toolCallId", e.ToolCallID)
		w.str("toolName", e.ToolName)
		w.raw("args", argsJSON(e.Args))
	case EventToolExecutionUpdate:
		w.str("toolCallId", e.ToolCallID)
		w.str("toolName", e.ToolName)
		w.raw("args", argsJSON(e.Args))
		w.value("partialResult", e.Result)
	case EventToolExecutionEnd:
		w.str("toolCallId", e.ToolCallID)
		w.str("toolName", e.ToolName)
		w.value("result", e.Result)
		w.boolean("isError", e.IsError)
	case EventQueueUpdate:
		w.value("steering", nonNilStrings(e.Steering))
		w.value("followUp", nonNilStrings(e.FollowUp))
	case EventCompactionStart:
		w.str("reason", e.Reason)
	case EventCompactionEnd:
		w.str("reason", e.Reason)
		if e.Compaction != nil {
			w.value("result", e.Compaction)
		}
		w.boolean("aborted", e.Aborted)
		w.boolean("willRetry", e.WillRetry)
		w.optStr("errorMessage", e.ErrorMessage)
	case EventAutoRetryStart:
		w.integer("attempt", e.Attempt)
		w.integer("maxAttempts", e.MaxAttempts)
		w.integer("delayMs", e.DelayMs)
		w.str("errorMessage", e.ErrorMessage)
	case EventAutoRetryEnd:
		w.boolean("success", e.Success)
		w.integer("attempt", e.Attempt)
		w.optStr("finalError", e.FinalError)
	}
	w.close()
	return w.b, w.err
}

// writeUpdate writes message_update: pi orders assistantMessageEvent before
// message, and only the reference framing carries partial and message.
func (e *Event) writeUpdate(w *jsonWriter, f Framing) {
	se := e.AssistantEvent
	if se == nil {
		se = &ai.StreamEvent{}
	}
	var partial []byte
	if f == FramingReference {
		partial, w.err = marshalOrErr(e.Message, w.err)
	}
	w.key("assistantMessageEvent")
	w.open()
	w.str("type", se.Type)
	switch se.Type {
	case ai.EventDone:
		w.str("reason", string(se.Reason))
		w.raw("message", partial)
	case ai.EventError:
		w.str("reason", string(se.Reason))
		w.raw("error", partial)
	case ai.EventStart:
	default:
		w.integer("contentIndex", se.ContentIndex)
		switch se.Type {
		case ai.EventTextDelta, ai.EventThinkingDelta, ai.EventToolCallDelta:
			w.str("delta", se.Delta)
		case ai.EventTextEnd, ai.EventThinkingEnd:
			w.str("content", se.Content)
		case ai.EventToolCallEnd:
			w.value("toolCall", se.ToolCall)
		case ai.EventToolCallStart:
			if f == FramingCompact {
				writeToolCallHead(w, se)
			}
		}
	}
	if f == FramingReference && se.Type != ai.EventDone && se.Type != ai.EventError {
		w.raw("partial", partial)
	}
	w.close()
	if f == FramingReference {
		w.raw("message", partial)
	}
}

// writeToolCallHead writes toolCall{id,name} for a compact toolcall_start so
// a client can render the call before its arguments arrive.
func writeToolCallHead(w *jsonWriter, se *ai.StreamEvent) {
	var id, name string
	if se.ToolCall != nil {
		id, name = se.ToolCall.ID, se.ToolCall.Name
	} else if p := se.Partial; p != nil && se.ContentIndex >= 0 && se.ContentIndex < len(p.Content) {
		id, name = p.Content[se.ContentIndex].ID, p.Content[se.ContentIndex].Name
	}
	w.key("toolCall")
	w.open()
	w.str("id", id)
	w.str("name", name)
	w.close()
}

func marshalOrErr(v any, prev error) ([]byte, error) {
	b, err := json.Marshal(v)
	if prev != nil {
		return b, prev
	}
	return b, err
}

func argsJSON(args []byte) []byte {
	if len(args) == 0 {
		return []byte("{}")
	}
	return args
}

func nonNilMessages(m []ai.Message) []ai.Message {
	if m == nil {
		return []ai.Message{}
	}
	return m
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// jsonWriter appends a JSON object to a byte slice. It exists (rather than
// encoding/json on a struct) because the event shapes vary by type and the
// per-delta path must not allocate.
type jsonWriter struct {
	b     []byte
	first bool
	err   error
}

func (w *jsonWriter) open() {
	w.b = append(w.b, '{')
	w.first = true
}

func (w *jsonWriter) close() {
	w.b = append(w.b, '}')
	w.first = false
}

func (w *jsonWriter) key(k string) {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ':')
}

func (w *jsonWriter) str(k, v string) {
	w.key(k)
	w.b = appendJSONString(w.b, v)
}

func (w *jsonWriter) optStr(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *jsonWriter) boolean(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jsonWriter) integer(k string, v int) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, int64(v), 10)
}

func (w *jsonWriter) raw(k string, v []byte) {
	w.key(k)
	if len(v) == 0 {
		v = []byte("null")
	}
	w.b = append(w.b, v...)
}

func (w *jsonWriter) value(k string, v any) {
	var b []byte
	b, w.err = marshalOrErr(v, w.err)
	w.raw(k, b)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string the way JSON.stringify writes
// it: only quotes, backslashes and control characters are escaped. Invalid
// UTF-8 becomes U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
