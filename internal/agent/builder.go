package agent

import (
	"encoding/json"
	"slices"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// MessageBuilder rebuilds a streaming assistant message from its
// message_start message and the block events that follow, the way a client
// of the compact SSE framing does. The agent keeps one to answer snapshots
// taken mid-reply; deltas are appended to per-block buffers, so a reply of n
// deltas costs O(n), and a message is only materialized when asked for.
type MessageBuilder struct {
	active  bool
	msg     ai.Message
	bufs    [][]byte // streamed text, thinking or argument bytes per block
	settled []bool   // block replaced by its final form (an *_end event)
}

// Start begins a message from its message_start copy.
func (b *MessageBuilder) Start(m *ai.Message) {
	b.Reset()
	b.active = true
	b.msg = *m
	b.msg.Content = nil
	for i := range m.Content {
		b.setFinal(i, m.Content[i])
	}
}

// Reset forgets the message.
func (b *MessageBuilder) Reset() {
	b.active = false
	b.msg = ai.Message{}
	b.bufs = b.bufs[:0]
	b.settled = b.settled[:0]
}

// Active reports whether a message is being built.
func (b *MessageBuilder) Active() bool { return b.active }

// Apply folds one block event into the message. Events for blocks out of
// order grow the content with empty blocks rather than failing.
func (b *MessageBuilder) Apply(ev *ai.StreamEvent) {
	if !b.active || ev == nil || ev.ContentIndex < 0 {
		return
	}
	i := ev.ContentIndex
	switch ev.Type {
	case ai.EventTextStart:
		b.open(i, ai.Content{Type: ai.ContentText})
	case ai.EventThinkingStart:
		b.open(i, ai.Content{Type: ai.ContentThinking})
	case ai.EventToolCallStart:
		c := ai.Content{Type: ai.ContentToolCall}
		if ev.ToolCall != nil {
			c.ID, c.Name = ev.ToolCall.ID, ev.ToolCall.Name
		} else if p := ev.Partial; p != nil && i < len(p.Content) {
			c.ID, c.Name = p.Content[i].ID, p.Content[i].Name
		}
		b.open(i, c)
	case ai.EventTextDelta, ai.EventThinkingDelta, ai.EventToolCallDelta:
		b.grow(i)
		b.bufs[i] = append(b.bufs[i], ev.Delta...)
	case ai.EventTextEnd, ai.EventThinkingEnd:
		b.grow(i)
		if p := ev.Partial; p != nil && i < len(p.Content) {
			b.setFinal(i, p.Content[i])
			return
		}
		c := b.msg.Content[i]
		if ev.Type == ai.EventTextEnd {
			c.Type, c.Text = ai.ContentText, ev.Content
		} else {
			c.Type, c.Thinking = ai.ContentThinking, ev.Content
		}
		b.setFinal(i, c)
	case ai.EventToolCallEnd:
		if ev.ToolCall != nil {
			b.grow(i)
			b.setFinal(i, *ev.ToolCall)
		}
	}
}

func (b *MessageBuilder) grow(i int) {
	for len(b.msg.Content) <= i {
		b.msg.Content = append(b.msg.Content, ai.Content{Type: ai.ContentText})
		b.bufs = append(b.bufs, nil)
		b.settled = append(b.settled, false)
	}
}

func (b *MessageBuilder) open(i int, c ai.Content) {
	b.grow(i)
	b.msg.Content[i] = c
	b.bufs[i] = b.bufs[i][:0]
	b.settled[i] = false
}

func (b *MessageBuilder) setFinal(i int, c ai.Content) {
	b.grow(i)
	c.Arguments = slices.Clone(c.Arguments)
	b.msg.Content[i] = c
	b.bufs[i] = b.bufs[i][:0]
	b.settled[i] = true
}

// Message returns a copy of the message so far, or nil when none is being
// built. Tool-call arguments still streaming are "{}" until they parse.
func (b *MessageBuilder) Message() *ai.Message {
	if !b.active {
		return nil
	}
	m := b.msg
	m.Content = make([]ai.Content, len(b.msg.Content))
	for i, c := range b.msg.Content {
		if !b.settled[i] {
			switch c.Type {
			case ai.ContentText:
				c.Text = string(b.bufs[i])
			case ai.ContentThinking:
				c.Thinking = string(b.bufs[i])
			case ai.ContentToolCall:
				c.Arguments = json.RawMessage("{}")
				if json.Valid(b.bufs[i]) {
					c.Arguments = slices.Clone(b.bufs[i])
				}
			}
		}
		m.Content[i] = c
	}
	return &m
}
