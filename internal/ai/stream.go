package ai

import (
	"context"
	"encoding/json"
	"net/http"
)

// Wire APIs with an adapter in this module.
const (
	APIAnthropicMessages  = "anthropic-messages"
	APIOpenAICompletions  = "openai-completions"
	APIOpenAIResponses    = "openai-responses"
	APIGoogleGenerativeAI = "google-generative-ai"
)

// Thinking levels, from none to the most effort. Off is the agent-level
// "no reasoning"; providers never see it.
const (
	ThinkingOff     = "off"
	ThinkingMinimal = "minimal"
	ThinkingLow     = "low"
	ThinkingMedium  = "medium"
	ThinkingHigh    = "high"
	ThinkingXHigh   = "xhigh"
)

// ThinkingLevels lists every level in ascending order.
var ThinkingLevels = []string{ThinkingOff, ThinkingMinimal, ThinkingLow, ThinkingMedium, ThinkingHigh, ThinkingXHigh}

// ModelCost is the price in USD per million tokens.
type ModelCost struct {
	Input      float64 `json:"input"`
	Output     float64 `json:"output"`
	CacheRead  float64 `json:"cacheRead"`
	CacheWrite float64 `json:"cacheWrite"`
}

// Model describes one model of one provider, as pi's Model<Api>.
type Model struct {
	ID               string             `json:"id"`
	Name             string             `json:"name"`
	API              string             `json:"api"`
	Provider         string             `json:"provider"`
	BaseURL          string             `json:"baseUrl"`
	Reasoning        bool               `json:"reasoning"`
	ThinkingLevelMap map[string]*string `json:"thinkingLevelMap,omitempty"`
	Input            []string           `json:"input"` // "text", "image"
	Cost             ModelCost          `json:"cost"`
	ContextWindow    int                `json:"contextWindow"`
	MaxTokens        int                `json:"maxTokens"`
	Headers          map[string]string  `json:"headers,omitempty"`
	// Compat holds the API-specific compatibility flags (pi's compat object),
	// decoded by the adapter that uses them.
	Compat json.RawMessage `json:"compat,omitempty"`
}

// SupportsImages reports whether the model accepts image input.
func (m *Model) SupportsImages() bool {
	for _, in := range m.Input {
		if in == "image" {
			return true
		}
	}
	return false
}

// ToolSpec is what the model is told about a tool.
type ToolSpec struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"` // JSON Schema object
}

// Context is one LLM request: system prompt, conversation and tools.
// Messages are already converted to LLM roles (user, assistant, toolResult).
type Context struct {
	SystemPrompt string
	Messages     []Message
	Tools        []ToolSpec
}

// ThinkingBudgets overrides the token budget per level (settings.json).
type ThinkingBudgets struct {
	Minimal int `json:"minimal,omitempty"`
	Low     int `json:"low,omitempty"`
	Medium  int `json:"medium,omitempty"`
	High    int `json:"high,omitempty"`
}

// StreamOptions are the per-call options (pi's SimpleStreamOptions).
type StreamOptions struct {
	APIKey      string
	Temperature *float64
	MaxTokens   int // 0 = the model's MaxTokens (pi-ai 0.74 sends it; older pi capped it at 32000)
	// Reasoning is the thinking level; "" or ThinkingOff means none.
	Reasoning       string
	ThinkingBudgets *ThinkingBudgets
	// SessionID lets providers with session affinity or prompt caching keys
	// group requests.
	SessionID      string
	CacheRetention string // "none" | "short" (default) | "long"
	Headers        map[string]string
	// HTTPClient is used for the request; nil means a default client that
	// honours HTTPS_PROXY.
	HTTPClient *http.Client
}

// Stream event types (pi-ai AssistantMessageEvent).
const (
	EventStart         = "start"
	EventTextStart     = "text_start"
	EventTextDelta     = "text_delta"
	EventTextEnd       = "text_end"
	EventThinkingStart = "thinking_start"
	EventThinkingDelta = "thinking_delta"
	EventThinkingEnd   = "thinking_end"
	EventToolCallStart = "toolcall_start"
	EventToolCallDelta = "toolcall_delta"
	EventToolCallEnd   = "toolcall_end"
	EventDone          = "done"
	EventError         = "error"
)

// StreamEvent is one step of a streamed assistant message.
//
// Partial points at the adapter's message under construction. It is only
// valid during the callback: clone it (Message.Clone) to keep it. Done and
// Error events carry the final message in Partial as well.
type StreamEvent struct {
	Type         string
	ContentIndex int
	Delta        string   // *_delta
	Content      string   // text_end, thinking_end
	ToolCall     *Content // toolcall_end
	Reason       StopReason
	Partial      *Message
}

// Provider streams one assistant response for a wire API. Stream calls emit
// synchronously for every event, in order, and returns the final message.
// It never returns an error: failures end the stream with an Error event and
// a message whose StopReason is error (or aborted when ctx was cancelled) and
// whose ErrorMessage holds the provider's message.
type Provider interface {
	Stream(ctx context.Context, model *Model, c *Context, opts *StreamOptions, emit func(*StreamEvent)) *Message
}
