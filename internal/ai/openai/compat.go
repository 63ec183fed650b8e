package openai

import (
	"encoding/json"
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// Thinking formats of openai-completions servers.
const (
	thinkingOpenAI           = "openai"
	thinkingOpenRouter       = "openrouter"
	thinkingDeepSeek         = "deepseek"
	thinkingTogether         = "together"
	thinkingZAI              = "zai"
	thinkingQwen             = "qwen"
	thinkingQwenChatTemplate = "qwen-chat-template"
)

// compatFlags is models.json's compat object for openai-completions, as
// written: unset flags are nil and fall back to auto-detection.
type compatFlags struct {
	SupportsStore                               *bool             `json:"supportsStore"`
	SupportsDeveloperRole                       *bool             `json:"supportsDeveloperRole"`
	SupportsReasoningEffort                     *bool             `json:"supportsReasoningEffort"`
	ReasoningEffortMap                          map[string]string `json:"reasoningEffortMap"`
	SupportsUsageInStreaming                    *bool             `json:"supportsUsageInStreaming"`
	MaxTokensField                              string            `json:"maxTokensField"`
	RequiresToolResultName                      *bool             `json:"requiresToolResultName"`
	RequiresAssistantAfterToolResult            *bool             `json:"requiresAssistantAfterToolResult"`
	RequiresThinkingAsText                      *bool             `json:"requiresThinkingAsText"`
	RequiresReasoningContentOnAssistantMessages *bool             `json:"requiresReasoningContentOnAssistantMessages"`
	ThinkingFormat                              string            `json:"thinkingFormat"`
	OpenRouterRouting                           json.RawMessage   `json:"openRouterRouting"`
	VercelGatewayRouting                        *struct {
		Only  []string `json:"only,omitempty"`
		Order []string `json:"order,omitempty"`
	} `json:"vercelGatewayRouting"`
	ZAIToolStream              *bool  `json:"zaiToolStream"`
	SupportsStrictMode         *bool  `json:"supportsStrictMode"`
	CacheControlFormat         string `json:"cacheControlFormat"`
	SendSessionAffinityHeaders *bool  `json:"sendSessionAffinityHeaders"`
	SupportsLongCacheRetention *bool  `json:"supportsLongCacheRetention"`
	SendSessionIDHeader        *bool  `json:"sendSessionIdHeader"` // openai-responses
}

// compat is the resolved set of flags for one model.
type compat struct {
	supportsStore                    bool
	supportsDeveloperRole            bool
	supportsReasoningEffort          bool
	reasoningEffortMap               map[string]string // legacy; thinkingLevelMap wins
	supportsUsageInStreaming         bool
	maxTokensField                   string
	requiresToolResultName           bool
	requiresAssistantAfterToolResult bool
	requiresThinkingAsText           bool
	requiresReasoningContentOnReplay bool
	thinkingFormat                   string
	openRouterRouting                json.RawMessage
	vercelOnly, vercelOrder          []string
	zaiToolStream                    bool
	supportsStrictMode               bool
	cacheControlFormat               string
	sendSessionAffinityHeaders       bool
	supportsLongCacheRetention       bool
	sendSessionIDHeader              bool // openai-responses
}

func parseFlags(m *ai.Model) compatFlags {
	var f compatFlags
	if len(m.Compat) > 0 {
		// A malformed compat object is ignored like a missing one: piconfig
		// validates models.json before a model gets here.
		_ = json.Unmarshal(m.Compat, &f)
	}
	return f
}

func or(v *bool, def bool) bool {
	if v != nil {
		return *v
	}
	return def
}

// resolveCompat applies the model's flags over what its provider and base
// URL imply, as pi-ai's detectCompat does.
func resolveCompat(m *ai.Model) compat {
	f := parseFlags(m)
	p, u := m.Provider, m.BaseURL
	isZAI := p == "zai" || strings.Contains(u, "api.z.ai")
	isTogether := p == "together" || strings.Contains(u, "api.together.ai") || strings.Contains(u, "api.together.xyz")
	isMoonshot := p == "moonshotai" || p == "moonshotai-cn" || strings.Contains(u, "api.moonshot.")
	isCFWorkers := p == "cloudflare-workers-ai" || strings.Contains(u, "api.cloudflare.com")
	isCFGateway := p == "cloudflare-ai-gateway" || strings.Contains(u, "gateway.ai.cloudflare.com")
	isGrok := p == "xai" || strings.Contains(u, "api.x.ai")
	isDeepSeek := p == "deepseek" || strings.Contains(u, "deepseek.com")
	isOpenRouter := p == "openrouter" || strings.Contains(u, "openrouter.ai")
	nonStandard := p == "cerebras" || strings.Contains(u, "cerebras.ai") || isGrok || isTogether ||
		strings.Contains(u, "chutes.ai") || strings.Contains(u, "deepseek.com") || isZAI || isMoonshot ||
		p == "opencode" || strings.Contains(u, "opencode.ai") || isCFWorkers || isCFGateway

	maxField := "max_completion_tokens"
	if strings.Contains(u, "chutes.ai") || isMoonshot || isCFGateway || isTogether {
		maxField = "max_tokens"
	}
	format := thinkingOpenAI
	switch {
	case isDeepSeek:
		format = thinkingDeepSeek
	case isZAI:
		format = thinkingZAI
	case isTogether:
		format = thinkingTogether
	case isOpenRouter:
		format = thinkingOpenRouter
	}
	cacheFormat := ""
	if p == "openrouter" && strings.HasPrefix(m.ID, "anthropic/") {
		cacheFormat = "anthropic"
	}

	c := compat{
		supportsStore:                    or(f.SupportsStore, !nonStandard),
		supportsDeveloperRole:            or(f.SupportsDeveloperRole, !nonStandard),
		supportsReasoningEffort:          or(f.SupportsReasoningEffort, !isGrok && !isZAI && !isMoonshot && !isTogether && !isCFGateway),
		reasoningEffortMap:               f.ReasoningEffortMap,
		supportsUsageInStreaming:         or(f.SupportsUsageInStreaming, true),
		maxTokensField:                   maxField,
		requiresToolResultName:           or(f.RequiresToolResultName, false),
		requiresAssistantAfterToolResult: or(f.RequiresAssistantAfterToolResult, false),
		requiresThinkingAsText:           or(f.RequiresThinkingAsText, false),
		requiresReasoningContentOnReplay: or(f.RequiresReasoningContentOnAssistantMessages, isDeepSeek),
		thinkingFormat:                   format,
		openRouterRouting:                f.OpenRouterRouting,
		zaiToolStream:                    or(f.ZAIToolStream, false),
		supportsStrictMode:               or(f.SupportsStrictMode, !isMoonshot && !isTogether && !isCFGateway),
		cacheControlFormat:               cacheFormat,
		sendSessionAffinityHeaders:       or(f.SendSessionAffinityHeaders, false),
		supportsLongCacheRetention:       or(f.SupportsLongCacheRetention, !(isTogether || isCFWorkers || isCFGateway)),
		sendSessionIDHeader:              or(f.SendSessionIDHeader, true),
	}
	if f.MaxTokensField != "" {
		c.maxTokensField = f.MaxTokensField
	}
	if f.ThinkingFormat != "" {
		c.thinkingFormat = f.ThinkingFormat
	}
	if f.CacheControlFormat != "" {
		c.cacheControlFormat = f.CacheControlFormat
	}
	if r := f.VercelGatewayRouting; r != nil {
		c.vercelOnly, c.vercelOrder = r.Only, r.Order
	}
	return c
}

// effort maps a thinking level to the provider's value: the model's
// thinkingLevelMap, then the legacy compat.reasoningEffortMap, else the level.
func (c *compat) effort(m *ai.Model, level string) string {
	if v, ok := ai.MappedThinkingLevel(m, level); ok {
		return v
	}
	if v, ok := c.reasoningEffortMap[level]; ok {
		return v
	}
	return level
}
