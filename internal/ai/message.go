// Package ai holds the provider-neutral conversation model shared by every
// LLM adapter, the agent loop and the session store: messages, content
// blocks, usage and cost, models and the streaming protocol. Field names and
// JSON shapes are pi's (pi-ai types.ts) so session files and SSE payloads
// stay interchangeable with the reference.
package ai

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Content block types.
const (
	ContentText     = "text"
	ContentThinking = "thinking"
	ContentImage    = "image"
	ContentToolCall = "toolCall"
)

// Message roles. The last three exist only in pi-coding-agent; branchSummary
// and compactionSummary are synthesized from session entries and never stored
// inside a message entry.
const (
	RoleUser              = "user"
	RoleAssistant         = "assistant"
	RoleToolResult        = "toolResult"
	RoleBashExecution     = "bashExecution"
	RoleCustom            = "custom"
	RoleBranchSummary     = "branchSummary"
	RoleCompactionSummary = "compactionSummary"
)

// StopReason values of an assistant message.
type StopReason string

const (
	StopReasonStop    StopReason = "stop"
	StopReasonLength  StopReason = "length"
	StopReasonToolUse StopReason = "toolUse"
	StopReasonError   StopReason = "error"
	StopReasonAborted StopReason = "aborted"
)

// Content is one content block. A single struct (rather than an interface per
// block type) keeps streaming allocation-light; MarshalJSON writes only the
// fields that belong to Type, in pi's field order. Signatures and tool call
// arguments are opaque and round-trip byte-exact.
type Content struct {
	Type string

	// text
	Text          string
	TextSignature string

	// thinking
	Thinking          string
	ThinkingSignature string
	Redacted          bool

	// image
	Data     string // base64
	MimeType string

	// toolCall
	ID               string
	Name             string
	Arguments        json.RawMessage // a JSON object; "{}" when empty
	ThoughtSignature string

	// Extra keeps keys this version does not know, so they survive a round trip.
	Extra map[string]json.RawMessage
}

// TextContent returns a text block.
func TextContent(s string) Content { return Content{Type: ContentText, Text: s} }

// ImageContent returns an image block with base64 data.
func ImageContent(data, mimeType string) Content {
	return Content{Type: ContentImage, Data: data, MimeType: mimeType}
}

// Usage counts tokens of one assistant response and what they cost in USD.
type Usage struct {
	Input       int  `json:"input"`
	Output      int  `json:"output"`
	CacheRead   int  `json:"cacheRead"`
	CacheWrite  int  `json:"cacheWrite"`
	TotalTokens int  `json:"totalTokens"`
	Cost        Cost `json:"cost"`
}

// Cost is the USD cost of a Usage, per token class and in total.
type Cost struct {
	Input      float64 `json:"input"`
	Output     float64 `json:"output"`
	CacheRead  float64 `json:"cacheRead"`
	CacheWrite float64 `json:"cacheWrite"`
	Total      float64 `json:"total"`
}

// Message is any AgentMessage: user, assistant, toolResult, bashExecution,
// custom, branchSummary or compactionSummary. Fields that do not belong to
// Role are ignored when marshalling. Timestamp is Unix milliseconds.
type Message struct {
	Role      string
	Content   []Content
	Timestamp int64

	// ContentIsString records that content arrived as a plain string (user and
	// custom messages may use either form); it is written back the same way.
	ContentIsString bool

	// assistant
	API           string
	Provider      string
	Model         string
	ResponseModel string
	ResponseID    string
	Diagnostics   json.RawMessage
	Usage         Usage
	StopReason    StopReason
	ErrorMessage  string

	// toolResult
	ToolCallID string
	ToolName   string
	IsError    bool

	// toolResult and custom
	Details json.RawMessage

	// bashExecution
	Command            string
	Output             string
	ExitCode           *int
	Cancelled          bool
	Truncated          bool
	FullOutputPath     string
	ExcludeFromContext bool

	// custom
	CustomType string
	Display    bool

	// branchSummary and compactionSummary
	Summary      string
	FromID       string
	TokensBefore int

	// Extra keeps unknown keys so they survive a round trip.
	Extra map[string]json.RawMessage
}

// Text concatenates the message's text blocks (or its string content).
func (m *Message) Text() string {
	var b bytes.Buffer
	for _, c := range m.Content {
		if c.Type == ContentText {
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

// ToolCalls returns the message's toolCall blocks.
func (m *Message) ToolCalls() []Content {
	var out []Content
	for _, c := range m.Content {
		if c.Type == ContentToolCall {
			out = append(out, c)
		}
	}
	return out
}

// Clone returns a deep copy that shares no slices with m, so a partial
// message can be handed to another goroutine while streaming continues.
func (m *Message) Clone() *Message {
	c := *m
	if m.Content != nil {
		c.Content = make([]Content, len(m.Content))
		copy(c.Content, m.Content)
	}
	if m.ExitCode != nil {
		v := *m.ExitCode
		c.ExitCode = &v
	}
	return &c
}

// ErrUnknownRole is returned when unmarshalling a message whose role this
// version cannot represent.
var ErrUnknownRole = fmt.Errorf("ai: unknown message role")
