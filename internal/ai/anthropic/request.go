package anthropic

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// request is the body of POST /v1/messages, in pi's key order.
type request struct {
	Model        string          `json:"model"`
	Messages     []message       `json:"messages"`
	MaxTokens    int             `json:"max_tokens"`
	Stream       bool            `json:"stream"`
	System       []*block        `json:"system,omitempty"`
	Temperature  *float64        `json:"temperature,omitempty"`
	Tools        []*tool         `json:"tools,omitempty"`
	Thinking     *thinkingConfig `json:"thinking,omitempty"`
	OutputConfig *outputConfig   `json:"output_config,omitempty"`
}

// message content is a string or []*block.
type message struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

type cacheControl struct {
	Type string `json:"type"`
	TTL  string `json:"ttl,omitempty"`
}

// block is any content block; the fields of its Type are set. Text is a
// pointer because a text block inside a tool result may be empty.
type block struct {
	Type         string          `json:"type"`
	Text         *string         `json:"text,omitempty"`
	Source       *imageSource    `json:"source,omitempty"`
	Thinking     string          `json:"thinking,omitempty"`
	Signature    string          `json:"signature,omitempty"`
	Data         string          `json:"data,omitempty"`
	ID           string          `json:"id,omitempty"`
	Name         string          `json:"name,omitempty"`
	Input        json.RawMessage `json:"input,omitempty"`
	ToolUseID    string          `json:"tool_use_id,omitempty"`
	Content      any             `json:"content,omitempty"` // tool_result: string or []*block
	IsError      *bool           `json:"is_error,omitempty"`
	CacheControl *cacheControl   `json:"cache_control,omitempty"`
}

type imageSource struct {
	Type      string `json:"type"`
	MediaType string `json:"media_type"`
	Data      string `json:"data"`
}

type tool struct {
	Name                string        `json:"name"`
	Description         string        `json:"description"`
	EagerInputStreaming bool          `json:"eager_input_streaming,omitempty"`
	InputSchema         inputSchema   `json:"input_schema"`
	CacheControl        *cacheControl `json:"cache_control,omitempty"`
}

type inputSchema struct {
	Type       string          `json:"type"`
	Properties json.RawMessage `json:"properties"`
	Required   json.RawMessage `json:"required"`
}

type thinkingConfig struct {
	Type         string `json:"type"`
	BudgetTokens int    `json:"budget_tokens,omitempty"`
	Display      string `json:"display,omitempty"`
}

type outputConfig struct {
	Effort string `json:"effort"`
}

func textBlock(s string) *block { return &block{Type: "text", Text: &s} }

// compatFlags is the anthropic-messages compat object of models.json.
type compatFlags struct {
	SupportsEagerToolInputStreaming *bool `json:"supportsEagerToolInputStreaming"`
	SupportsLongCacheRetention      *bool `json:"supportsLongCacheRetention"`
	SendSessionAffinityHeaders      *bool `json:"sendSessionAffinityHeaders"`
	SupportsCacheControlOnTools     *bool `json:"supportsCacheControlOnTools"`
}

type compat struct {
	eagerToolInputStreaming bool
	longCacheRetention      bool
	sessionAffinityHeaders  bool
	cacheControlOnTools     bool
}

func resolveCompat(m *ai.Model) compat {
	var f compatFlags
	if len(m.Compat) > 0 {
		_ = json.Unmarshal(m.Compat, &f) // piconfig validated it; junk means unset
	}
	fireworks := m.Provider == "fireworks"
	cfGateway := m.Provider == "cloudflare-ai-gateway" && strings.Contains(m.BaseURL, "anthropic")
	or := func(v *bool, def bool) bool {
		if v != nil {
			return *v
		}
		return def
	}
	return compat{
		eagerToolInputStreaming: or(f.SupportsEagerToolInputStreaming, !fireworks),
		longCacheRetention:      or(f.SupportsLongCacheRetention, !fireworks),
		sessionAffinityHeaders:  or(f.SendSessionAffinityHeaders, fireworks || cfGateway),
		cacheControlOnTools:     or(f.SupportsCacheControlOnTools, !fireworks),
	}
}

// adaptive reports models that think adaptively (Opus 4.6+, Sonnet 4.6).
func adaptive(id string) bool {
	for _, s := range []string{"opus-4-6", "opus-4.6", "opus-4-7", "opus-4.7", "sonnet-4-6", "sonnet-4.6"} {
		if strings.Contains(id, s) {
			return true
		}
	}
	return false
}

// effort maps a level to adaptive thinking's effort: the model's
// thinkingLevelMap first, then minimal/low→low, medium, high, and high for
// anything else.
func effort(m *ai.Model, level string) string {
	if v, ok := ai.MappedThinkingLevel(m, level); ok {
		return v
	}
	switch level {
	case ai.ThinkingMinimal, ai.ThinkingLow:
		return "low"
	case ai.ThinkingMedium:
		return "medium"
	}
	return "high"
}

// buildRequest writes pi's body. level is "" when thinking is off.
func buildRequest(m *ai.Model, c *ai.Context, opts *ai.StreamOptions, cp *compat, cc *cacheControl, oauth bool, level string) *request {
	maxTokens := ai.BaseMaxTokens(m, opts)
	req := &request{Model: m.ID, Stream: true}
	thinkingOn := false
	if m.Reasoning {
		switch {
		case level == "":
			req.Thinking = &thinkingConfig{Type: "disabled"}
		case adaptive(m.ID):
			thinkingOn = true
			req.Thinking = &thinkingConfig{Type: "adaptive", Display: "summarized"}
			req.OutputConfig = &outputConfig{Effort: effort(m, level)}
		default:
			thinkingOn = true
			var budget int
			maxTokens, budget = ai.MaxTokensWithThinking(maxTokens, m.MaxTokens, level, opts.ThinkingBudgets)
			if budget == 0 {
				budget = 1024
			}
			req.Thinking = &thinkingConfig{Type: "enabled", BudgetTokens: budget, Display: "summarized"}
		}
	}
	if maxTokens <= 0 {
		maxTokens = m.MaxTokens / 3
	}
	req.MaxTokens = maxTokens
	req.Messages = convertMessages(m, c.Messages, oauth, cc)
	if oauth {
		req.System = append(req.System, &block{Type: "text", Text: ptr(claudeCodeIdentity), CacheControl: cc})
	}
	if c.SystemPrompt != "" {
		req.System = append(req.System, &block{Type: "text", Text: ptr(ai.SanitizeText(c.SystemPrompt)), CacheControl: cc})
	}
	// Temperature cannot be combined with extended thinking.
	if opts.Temperature != nil && !thinkingOn {
		req.Temperature = opts.Temperature
	}
	if len(c.Tools) > 0 {
		toolCC := cc
		if !cp.cacheControlOnTools {
			toolCC = nil
		}
		req.Tools = convertTools(c.Tools, oauth, cp.eagerToolInputStreaming, toolCC)
	}
	return req
}

func ptr[T any](v T) *T { return &v }

func convertTools(tools []ai.ToolSpec, oauth, eager bool, cc *cacheControl) []*tool {
	out := make([]*tool, len(tools))
	for i, t := range tools {
		var schema struct {
			Properties json.RawMessage `json:"properties"`
			Required   json.RawMessage `json:"required"`
		}
		_ = json.Unmarshal(t.Parameters, &schema)
		if len(schema.Properties) == 0 || string(schema.Properties) == "null" {
			schema.Properties = json.RawMessage("{}")
		}
		if len(schema.Required) == 0 || string(schema.Required) == "null" {
			schema.Required = json.RawMessage("[]")
		}
		name := t.Name
		if oauth {
			name = toClaudeCodeName(name)
		}
		out[i] = &tool{
			Name:                name,
			Description:         t.Description,
			EagerInputStreaming: eager,
			InputSchema:         inputSchema{Type: "object", Properties: schema.Properties, Required: schema.Required},
		}
	}
	if cc != nil && len(out) > 0 {
		out[len(out)-1].CacheControl = cc
	}
	return out
}

var unsafeIDChars = regexp.MustCompile(`[^a-zA-Z0-9_-]`)

// toolCallID makes a foreign id acceptable: [a-zA-Z0-9_-], at most 64.
func toolCallID(id string, _ *ai.Model, _ *ai.Message) string {
	id = unsafeIDChars.ReplaceAllString(id, "_")
	if len(id) > 64 {
		id = id[:64]
	}
	return id
}
