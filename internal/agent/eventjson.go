package agent

import (
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/jsonw"
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
	// The shapes vary by type and the per-delta path must not allocate, so
	// the object is written key by key into dst.
	var w jsonw.Obj
	w.Begin(dst)
	w.Str("type", e.Type)
	switch e.Type {
	case EventAgentEnd:
		w.Value("messages", nonNilMessages(e.Messages))
		w.Bool("willRetry", e.WillRetry)
		w.OptStr("errorMessage", e.ErrorMessage)
	case EventTurnEnd:
		w.Value("message", e.Message)
		w.Value("toolResults", nonNilMessages(e.ToolResults))
	case EventMessageStart, EventMessageEnd:
		w.Value("message", e.Message)
	case EventMessageUpdate:
		e.writeUpdate(&w, f)
	case EventToolExecutionStart:
		w.Str("toolCallId", e.ToolCallID)
		w.Str("toolName", e.ToolName)
		w.Raw("args", argsJSON(e.Args))
	case EventToolExecutionUpdate:
		w.Str("toolCallId", e.ToolCallID)
		w.Str("toolName", e.ToolName)
		w.Raw("args", argsJSON(e.Args))
		w.Value("partialResult", e.Result)
	case EventToolExecutionEnd:
		w.Str("toolCallId", e.ToolCallID)
		w.Str("toolName", e.ToolName)
		w.Value("result", e.Result)
		w.Bool("isError", e.IsError)
	case EventQueueUpdate:
		w.Value("steering", nonNilStrings(e.Steering))
		w.Value("followUp", nonNilStrings(e.FollowUp))
	case EventCompactionStart:
		w.Str("reason", e.Reason)
	case EventCompactionEnd:
		w.Str("reason", e.Reason)
		if e.Compaction != nil {
			w.Value("result", e.Compaction)
		}
		w.Bool("aborted", e.Aborted)
		w.Bool("willRetry", e.WillRetry)
		w.OptStr("errorMessage", e.ErrorMessage)
	case EventAutoRetryStart:
		w.Int("attempt", int64(e.Attempt))
		w.Int("maxAttempts", int64(e.MaxAttempts))
		w.Int("delayMs", int64(e.DelayMs))
		w.Str("errorMessage", e.ErrorMessage)
	case EventAutoRetryEnd:
		w.Bool("success", e.Success)
		w.Int("attempt", int64(e.Attempt))
		w.OptStr("finalError", e.FinalError)
	}
	return w.Done()
}

// writeUpdate writes message_update: pi orders assistantMessageEvent before
// message, and only the reference framing carries partial and message.
func (e *Event) writeUpdate(w *jsonw.Obj, f Framing) {
	se := e.AssistantEvent
	if se == nil {
		se = &ai.StreamEvent{}
	}
	var partial []byte
	if f == FramingReference {
		var err error
		if partial, err = jsonw.Marshal(e.Message); err != nil {
			w.Fail(err)
		}
	}
	w.Open("assistantMessageEvent")
	w.Str("type", se.Type)
	switch se.Type {
	case ai.EventDone:
		w.Str("reason", string(se.Reason))
		w.RawOrNull("message", partial)
	case ai.EventError:
		w.Str("reason", string(se.Reason))
		w.RawOrNull("error", partial)
	case ai.EventStart:
	default:
		w.Int("contentIndex", int64(se.ContentIndex))
		switch se.Type {
		case ai.EventTextDelta, ai.EventThinkingDelta, ai.EventToolCallDelta:
			w.Str("delta", se.Delta)
		case ai.EventTextEnd, ai.EventThinkingEnd:
			w.Str("content", se.Content)
		case ai.EventToolCallEnd:
			w.Value("toolCall", se.ToolCall)
		case ai.EventToolCallStart:
			if f == FramingCompact {
				writeToolCallHead(w, se)
			}
		}
	}
	if f == FramingReference && se.Type != ai.EventDone && se.Type != ai.EventError {
		w.RawOrNull("partial", partial)
	}
	w.Close()
	if f == FramingReference {
		w.RawOrNull("message", partial)
	}
}

// writeToolCallHead writes toolCall{id,name} for a compact toolcall_start so
// a client can render the call before its arguments arrive.
func writeToolCallHead(w *jsonw.Obj, se *ai.StreamEvent) {
	var id, name string
	if se.ToolCall != nil {
		id, name = se.ToolCall.ID, se.ToolCall.Name
	} else if p := se.Partial; p != nil && se.ContentIndex >= 0 && se.ContentIndex < len(p.Content) {
		id, name = p.Content[se.ContentIndex].ID, p.Content[se.ContentIndex].Name
	}
	w.Open("toolCall")
	w.Str("id", id)
	w.Str("name", name)
	w.Close()
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
