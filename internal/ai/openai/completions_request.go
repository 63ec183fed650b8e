package openai

import (
	"encoding/json"
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/wire"
)

// chatRequest is the body of POST /chat/completions, in pi's key order.
type chatRequest struct {
	Model                string             `json:"model"`
	Messages             []*chatMessage     `json:"messages"`
	Stream               bool               `json:"stream"`
	PromptCacheKey       string             `json:"prompt_cache_key,omitempty"`
	PromptCacheRetention string             `json:"prompt_cache_retention,omitempty"`
	StreamOptions        *chatStreamOptions `json:"stream_options,omitempty"`
	Store                *bool              `json:"store,omitempty"`
	MaxCompletionTokens  int                `json:"max_completion_tokens,omitempty"`
	MaxTokens            int                `json:"max_tokens,omitempty"`
	Temperature          *float64           `json:"temperature,omitempty"`
	// Tools is a pointer so an empty list ("tools": []) can be sent: proxies
	// in front of Anthropic need it when the history has tool calls.
	Tools              *[]*chatTool    `json:"tools,omitempty"`
	ToolStream         bool            `json:"tool_stream,omitempty"`
	EnableThinking     *bool           `json:"enable_thinking,omitempty"`
	ChatTemplateKwargs map[string]bool `json:"chat_template_kwargs,omitempty"`
	Thinking           *chatThinking   `json:"thinking,omitempty"`
	ReasoningEffort    string          `json:"reasoning_effort,omitempty"`
	Reasoning          map[string]any  `json:"reasoning,omitempty"`
	Provider           json.RawMessage `json:"provider,omitempty"`
	ProviderOptions    map[string]any  `json:"providerOptions,omitempty"`
}

type chatStreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type chatThinking struct {
	Type string `json:"type"`
}

type cacheControl struct {
	Type string `json:"type"`
	TTL  string `json:"ttl,omitempty"`
}

type chatTool struct {
	Type         string        `json:"type"`
	Function     chatFunction  `json:"function"`
	CacheControl *cacheControl `json:"cache_control,omitempty"`
}

type chatFunction struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      *bool           `json:"strict,omitempty"`
}

// chatMessage is one message. Content is a string, a []*chatPart, or nil
// (JSON null, for an assistant message that only calls tools).
type chatMessage struct {
	Role             string            `json:"role"`
	Content          any               `json:"content"`
	ToolCallID       string            `json:"tool_call_id,omitempty"`
	Name             string            `json:"name,omitempty"`
	ToolCalls        []chatToolCall    `json:"tool_calls,omitempty"`
	ReasoningDetails []json.RawMessage `json:"reasoning_details,omitempty"`

	// reasoning replays thinking under the delta field it arrived in
	// ("reasoning_content", "reasoning", ...): field names that are data,
	// so MarshalJSON writes them.
	reasoning []reasoningField
}

type reasoningField struct{ name, text string }

func (m *chatMessage) hasReasoning(name string) bool {
	for _, r := range m.reasoning {
		if r.name == name {
			return true
		}
	}
	return false
}

type chatPart struct {
	Type         string        `json:"type"`
	Text         string        `json:"text,omitempty"`
	ImageURL     *chatImageURL `json:"image_url,omitempty"`
	CacheControl *cacheControl `json:"cache_control,omitempty"`
}

type chatImageURL struct {
	URL string `json:"url"`
}

type chatToolCall struct {
	ID       string           `json:"id"`
	Type     string           `json:"type"`
	Function chatCallFunction `json:"function"`
}

type chatCallFunction struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

func (m *chatMessage) MarshalJSON() ([]byte, error) {
	type plain chatMessage
	b, err := wire.JSON((*plain)(m))
	if err != nil || len(m.reasoning) == 0 {
		return b, err
	}
	out := b[:len(b)-1]
	for _, r := range m.reasoning {
		key, err := wire.JSON(r.name)
		if err != nil {
			return nil, err
		}
		val, err := wire.JSON(r.text)
		if err != nil {
			return nil, err
		}
		out = append(append(append(append(out, ','), key...), ':'), val...)
	}
	return append(out, '}'), nil
}

func boolPtr(b bool) *bool { return &b }

// buildChatRequest writes pi's request body for one call. level is the
// clamped thinking level, "" for off.
func buildChatRequest(m *ai.Model, c *ai.Context, opts *ai.StreamOptions, cp *compat, retention, level string) *chatRequest {
	req := &chatRequest{
		Model:    m.ID,
		Messages: convertChatMessages(m, c, cp),
		Stream:   true,
	}
	longOK := retention == ai.CacheLong && cp.supportsLongCacheRetention
	if (strings.Contains(m.BaseURL, "api.openai.com") && retention != ai.CacheNone) || longOK {
		req.PromptCacheKey = opts.SessionID
	}
	if longOK {
		req.PromptCacheRetention = "24h"
	}
	if cp.supportsUsageInStreaming {
		req.StreamOptions = &chatStreamOptions{IncludeUsage: true}
	}
	if cp.supportsStore {
		req.Store = boolPtr(false)
	}
	if n := ai.BaseMaxTokens(m, opts); n > 0 {
		if cp.maxTokensField == "max_tokens" {
			req.MaxTokens = n
		} else {
			req.MaxCompletionTokens = n
		}
	}
	req.Temperature = opts.Temperature
	if len(c.Tools) > 0 {
		tools := convertChatTools(c.Tools, cp)
		req.Tools = &tools
		req.ToolStream = cp.zaiToolStream
	} else if hasToolHistory(c.Messages) {
		req.Tools = &[]*chatTool{}
	}
	if cc := chatCacheControl(cp, retention); cc != nil {
		applyChatCacheControl(req, cc)
	}
	applyChatThinking(req, m, cp, level)
	if strings.Contains(m.BaseURL, "openrouter.ai") && len(cp.openRouterRouting) > 0 && string(cp.openRouterRouting) != "null" {
		req.Provider = cp.openRouterRouting
	}
	if strings.Contains(m.BaseURL, "ai-gateway.vercel.sh") && (cp.vercelOnly != nil || cp.vercelOrder != nil) {
		gw := map[string]any{}
		if cp.vercelOnly != nil {
			gw["only"] = cp.vercelOnly
		}
		if cp.vercelOrder != nil {
			gw["order"] = cp.vercelOrder
		}
		req.ProviderOptions = map[string]any{"gateway": gw}
	}
	return req
}

// applyChatThinking sets the thinking parameters of the server's format
// (pi's thinkingFormat), for reasoning models only.
func applyChatThinking(req *chatRequest, m *ai.Model, cp *compat, level string) {
	if !m.Reasoning {
		return
	}
	on := level != ""
	switch cp.thinkingFormat {
	case thinkingZAI, thinkingQwen:
		req.EnableThinking = boolPtr(on)
	case thinkingQwenChatTemplate:
		req.ChatTemplateKwargs = map[string]bool{"enable_thinking": on, "preserve_thinking": true}
	case thinkingDeepSeek:
		req.Thinking = &chatThinking{Type: map[bool]string{true: "enabled", false: "disabled"}[on]}
		if on {
			req.ReasoningEffort = cp.effort(m, level)
		}
	case thinkingOpenRouter:
		if on {
			req.Reasoning = map[string]any{"effort": cp.effort(m, level)}
		} else if off, listed := m.ThinkingLevelMap[ai.ThinkingOff]; !listed || off != nil {
			effort := "none"
			if off != nil {
				effort = *off
			}
			req.Reasoning = map[string]any{"effort": effort}
		}
	case thinkingTogether:
		req.Reasoning = map[string]any{"enabled": on}
		if on && cp.supportsReasoningEffort {
			req.ReasoningEffort = cp.effort(m, level)
		}
	default:
		if !cp.supportsReasoningEffort {
			return
		}
		if on {
			req.ReasoningEffort = cp.effort(m, level)
		} else if off, ok := ai.MappedThinkingLevel(m, ai.ThinkingOff); ok {
			req.ReasoningEffort = off
		}
	}
}

func convertChatTools(tools []ai.ToolSpec, cp *compat) []*chatTool {
	out := make([]*chatTool, len(tools))
	for i, t := range tools {
		fn := chatFunction{Name: t.Name, Description: t.Description, Parameters: schemaOrEmpty(t.Parameters)}
		if cp.supportsStrictMode {
			fn.Strict = boolPtr(false)
		}
		out[i] = &chatTool{Type: "function", Function: fn}
	}
	return out
}

func schemaOrEmpty(s json.RawMessage) json.RawMessage {
	if len(s) == 0 {
		return json.RawMessage(`{"type":"object","properties":{}}`)
	}
	return s
}

func hasToolHistory(msgs []ai.Message) bool {
	for i := range msgs {
		switch msgs[i].Role {
		case ai.RoleToolResult:
			return true
		case ai.RoleAssistant:
			for _, c := range msgs[i].Content {
				if c.Type == ai.ContentToolCall {
					return true
				}
			}
		}
	}
	return false
}

func chatCacheControl(cp *compat, retention string) *cacheControl {
	if cp.cacheControlFormat != "anthropic" || retention == ai.CacheNone {
		return nil
	}
	cc := &cacheControl{Type: "ephemeral"}
	if retention == ai.CacheLong && cp.supportsLongCacheRetention {
		cc.TTL = "1h"
	}
	return cc
}

// applyChatCacheControl places Anthropic-style markers as pi does for
// OpenRouter's anthropic/* models: the system prompt, the last tool, and the
// last text of the last user or assistant message that has text.
func applyChatCacheControl(req *chatRequest, cc *cacheControl) {
	for _, m := range req.Messages {
		if m.Role == "system" || m.Role == "developer" {
			markText(m, cc)
			break
		}
	}
	if req.Tools != nil && len(*req.Tools) > 0 {
		tools := *req.Tools
		tools[len(tools)-1].CacheControl = cc
	}
	for i := len(req.Messages) - 1; i >= 0; i-- {
		m := req.Messages[i]
		if (m.Role == "user" || m.Role == "assistant") && markText(m, cc) {
			return
		}
	}
}

// markText puts cc on the message's last text part, turning string content
// into a one-part array. It reports whether it found text.
func markText(m *chatMessage, cc *cacheControl) bool {
	switch content := m.Content.(type) {
	case string:
		if content == "" {
			return false
		}
		m.Content = []*chatPart{{Type: "text", Text: content, CacheControl: cc}}
		return true
	case []*chatPart:
		for i := len(content) - 1; i >= 0; i-- {
			if content[i].Type == "text" {
				content[i].CacheControl = cc
				return true
			}
		}
	}
	return false
}
