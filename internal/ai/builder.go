package ai

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unsafe"
)

// ErrAborted is the message of an assistant response cut short by its
// caller (pi's wording).
const ErrAborted = "Request was aborted"

// Failure is an error whose text is shown to the user as the assistant
// message's errorMessage, in pi's (capitalised) wording.
type Failure string

func (f Failure) Error() string { return string(f) }

// AssistantStream builds the assistant message of one provider call and
// emits the protocol's events for it, so every adapter produces the same
// sequence: start, then *_start / *_delta / *_end per block with the block's
// content index, then done or error.
//
// Texts grow in append-only buffers: a delta costs O(len(delta)) and no
// allocation, and strings already handed out in a partial message never
// change (see growText).
type AssistantStream struct {
	msg     Message
	model   *Model
	emit    func(*StreamEvent)
	blocks  []blockState
	started bool
	ended   bool
}

type blockState struct {
	text  growText
	args  *ToolArgs
	ended bool
}

// NewAssistantStream starts an empty assistant message for model.
func NewAssistantStream(model *Model, emit func(*StreamEvent), now time.Time) *AssistantStream {
	if emit == nil {
		emit = func(*StreamEvent) {}
	}
	return &AssistantStream{
		model: model,
		emit:  emit,
		msg: Message{
			Role:       RoleAssistant,
			Content:    []Content{},
			API:        model.API,
			Provider:   model.Provider,
			Model:      model.ID,
			StopReason: StopReasonStop,
			Timestamp:  now.UnixMilli(),
		},
	}
}

// Message returns the message under construction.
func (s *AssistantStream) Message() *Message { return &s.msg }

// Block returns content block i for adapter-specific fields (signatures,
// ids). Callers must not change Text, Thinking or Arguments directly.
func (s *AssistantStream) Block(i int) *Content { return &s.msg.Content[i] }

// Len returns the number of content blocks so far.
func (s *AssistantStream) Len() int { return len(s.msg.Content) }

// Start emits the start event; later calls do nothing.
func (s *AssistantStream) Start() {
	if s.started {
		return
	}
	s.started = true
	s.send(&StreamEvent{Type: EventStart})
}

// BeginText opens a text block and returns its content index.
func (s *AssistantStream) BeginText() int {
	return s.begin(Content{Type: ContentText}, EventTextStart)
}

// BeginThinking opens a thinking block with an initial signature.
func (s *AssistantStream) BeginThinking(signature string) int {
	return s.begin(Content{Type: ContentThinking, ThinkingSignature: signature}, EventThinkingStart)
}

// BeginRedactedThinking opens a redacted thinking block whose opaque
// payload is kept as its signature.
func (s *AssistantStream) BeginRedactedThinking(data string) int {
	i := s.begin(Content{Type: ContentThinking, Redacted: true, ThinkingSignature: data}, EventThinkingStart)
	s.setText(i, "[Reasoning redacted]")
	return i
}

// BeginToolCall opens a tool call block with empty arguments.
func (s *AssistantStream) BeginToolCall(id, name string) int {
	i := s.begin(Content{Type: ContentToolCall, ID: id, Name: name, Arguments: json.RawMessage("{}")}, EventToolCallStart)
	s.blocks[i].args = &ToolArgs{}
	return i
}

func (s *AssistantStream) begin(c Content, event string) int {
	s.Start()
	s.msg.Content = append(s.msg.Content, c)
	s.blocks = append(s.blocks, blockState{})
	i := len(s.msg.Content) - 1
	s.send(&StreamEvent{Type: event, ContentIndex: i})
	return i
}

// AppendText adds delta to text or thinking block i and emits its delta
// event. Empty deltas are ignored.
func (s *AssistantStream) AppendText(i int, delta string) {
	if delta == "" {
		return
	}
	b := &s.blocks[i]
	c := &s.msg.Content[i]
	full := b.text.add(delta)
	event := EventTextDelta
	if c.Type == ContentThinking {
		c.Thinking = full
		event = EventThinkingDelta
	} else {
		c.Text = full
	}
	s.send(&StreamEvent{Type: event, ContentIndex: i, Delta: delta})
}

// SetText replaces the whole text of a text or thinking block without an
// event, for providers whose end-of-block item is authoritative.
func (s *AssistantStream) SetText(i int, text string) { s.setText(i, text) }

func (s *AssistantStream) setText(i int, text string) {
	b := &s.blocks[i]
	b.text = growText{}
	full := b.text.add(text)
	if c := &s.msg.Content[i]; c.Type == ContentThinking {
		c.Thinking = full
	} else {
		c.Text = full
	}
}

// AppendToolArgs adds a raw JSON fragment to tool call i, re-parses the
// arguments best-effort and emits toolcall_delta (also for an empty
// fragment, as providers send name-only chunks).
func (s *AssistantStream) AppendToolArgs(i int, delta string) {
	b := &s.blocks[i]
	if delta != "" {
		b.args.Append(delta)
		s.msg.Content[i].Arguments = b.args.Partial()
	}
	s.send(&StreamEvent{Type: EventToolCallDelta, ContentIndex: i, Delta: delta})
}

// ReplaceToolArgs sets the full arguments text of tool call i, for
// providers that resend the complete text at the end.
func (s *AssistantStream) ReplaceToolArgs(i int, text string) {
	b := &s.blocks[i]
	b.args = &ToolArgs{}
	b.args.Append(text)
	s.msg.Content[i].Arguments = b.args.Partial()
}

// ToolArgsText returns the raw arguments text of tool call i so far.
func (s *AssistantStream) ToolArgsText(i int) string { return s.blocks[i].args.Raw() }

// End closes block i and emits its end event; a block ends once. A tool
// call's arguments are parsed in full here.
func (s *AssistantStream) End(i int) {
	b := &s.blocks[i]
	if b.ended {
		return
	}
	b.ended = true
	c := &s.msg.Content[i]
	switch c.Type {
	case ContentText:
		c.Text = strings.Clone(c.Text) // drop the growth slack
		s.send(&StreamEvent{Type: EventTextEnd, ContentIndex: i, Content: c.Text})
	case ContentThinking:
		c.Thinking = strings.Clone(c.Thinking)
		s.send(&StreamEvent{Type: EventThinkingEnd, ContentIndex: i, Content: c.Thinking})
	case ContentToolCall:
		if b.args.Raw() != "" {
			c.Arguments = b.args.Final()
		}
		tc := *c
		s.send(&StreamEvent{Type: EventToolCallEnd, ContentIndex: i, ToolCall: &tc})
	}
}

// EndAll closes every open block in order.
func (s *AssistantStream) EndAll() {
	for i := range s.blocks {
		s.End(i)
	}
}

// Ended reports whether block i has been closed.
func (s *AssistantStream) Ended(i int) bool { return s.blocks[i].ended }

// SetUsage records token counts and recomputes their cost.
func (s *AssistantStream) SetUsage(u Usage) {
	CalculateCost(s.model, &u)
	s.msg.Usage = u
}

// Finish ends a stream the provider completed. A stop reason of error or
// aborted turns into Fail with the message's ErrorMessage (or pi's "An
// unknown error occurred"); a cancelled ctx into an abort.
func (s *AssistantStream) Finish(ctx context.Context, reason StopReason) *Message {
	if ctx.Err() != nil {
		return s.Fail(ctx, ctx.Err())
	}
	if reason == StopReasonError || reason == StopReasonAborted {
		msg := s.msg.ErrorMessage
		if msg == "" {
			msg = "An unknown error occurred"
		}
		return s.Fail(ctx, Failure(msg))
	}
	s.msg.StopReason = reason
	s.finalizeTexts()
	s.send(&StreamEvent{Type: EventDone, Reason: reason})
	s.ended = true
	return &s.msg
}

// Fail ends the stream with an error event: stop reason aborted when ctx
// was cancelled, else error with err's message. Content and usage received
// so far are kept.
func (s *AssistantStream) Fail(ctx context.Context, err error) *Message {
	s.msg.StopReason = StopReasonError
	s.msg.ErrorMessage = err.Error()
	if ctx.Err() != nil {
		s.msg.StopReason = StopReasonAborted
		s.msg.ErrorMessage = ErrAborted
	}
	s.finalizeTexts()
	s.send(&StreamEvent{Type: EventError, Reason: s.msg.StopReason})
	s.ended = true
	return &s.msg
}

func (s *AssistantStream) finalizeTexts() {
	for i := range s.msg.Content {
		if s.blocks[i].ended {
			continue
		}
		c := &s.msg.Content[i]
		c.Text = strings.Clone(c.Text)
		c.Thinking = strings.Clone(c.Thinking)
	}
}

func (s *AssistantStream) send(e *StreamEvent) {
	if s.ended {
		return
	}
	e.Partial = &s.msg
	s.emit(e)
}

// growText is an append-only byte buffer viewed as a string. append never
// rewrites bytes below the old length (a reallocation copies them), so every
// string returned by add stays valid and unchanged while the buffer grows:
// a partial message can be cloned and read on another goroutine while
// streaming continues, without copying the text on every delta.
type growText struct{ buf []byte }

func (g *growText) add(s string) string {
	g.buf = append(g.buf, s...)
	return unsafe.String(unsafe.SliceData(g.buf), len(g.buf))
}
