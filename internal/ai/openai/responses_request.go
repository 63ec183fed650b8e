package openai

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// responsesRequest is the body of POST /responses, in pi's key order.
type responsesRequest struct {
	Model                string              `json:"model"`
	Input                []any               `json:"input"`
	Stream               bool                `json:"stream"`
	PromptCacheKey       string              `json:"prompt_cache_key,omitempty"`
	PromptCacheRetention string              `json:"prompt_cache_retention,omitempty"`
	Store                bool                `json:"store"`
	MaxOutputTokens      int                 `json:"max_output_tokens,omitempty"`
	Temperature          *float64            `json:"temperature,omitempty"`
	Tools                []responsesTool     `json:"tools,omitempty"`
	Reasoning            *responsesReasoning `json:"reasoning,omitempty"`
	Include              []string            `json:"include,omitempty"`
}

type responsesTool struct {
	Type        string          `json:"type"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      bool            `json:"strict"`
}

type responsesReasoning struct {
	Effort  string `json:"effort"`
	Summary string `json:"summary,omitempty"`
}

type roleContent struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

type inputPart struct {
	Type     string `json:"type"`
	Text     string `json:"text,omitempty"`
	Detail   string `json:"detail,omitempty"`
	ImageURL string `json:"image_url,omitempty"`
}

type outputMessage struct {
	Type    string       `json:"type"`
	Role    string       `json:"role"`
	Content []outputText `json:"content"`
	Status  string       `json:"status"`
	ID      string       `json:"id"`
	Phase   string       `json:"phase,omitempty"`
}

type outputText struct {
	Type        string `json:"type"`
	Text        string `json:"text"`
	Annotations []any  `json:"annotations"`
}

type functionCall struct {
	Type      string `json:"type"`
	ID        string `json:"id,omitempty"`
	CallID    string `json:"call_id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type functionCallOutput struct {
	Type   string `json:"type"`
	CallID string `json:"call_id"`
	Output any    `json:"output"`
}

// textSignature is the v1 signature pi stores on Responses text blocks.
type textSignature struct {
	V     int    `json:"v"`
	ID    string `json:"id"`
	Phase string `json:"phase,omitempty"`
}

func parseTextSignature(sig string) (id, phase string) {
	if sig == "" {
		return "", ""
	}
	if strings.HasPrefix(sig, "{") {
		var ts textSignature
		if json.Unmarshal([]byte(sig), &ts) == nil && ts.V == 1 && ts.ID != "" {
			if ts.Phase == "commentary" || ts.Phase == "final_answer" {
				return ts.ID, ts.Phase
			}
			return ts.ID, ""
		}
	}
	return sig, "" // a legacy plain id
}

// Providers whose Responses tool calls carry pi's "call|item" ids.
func pipedToolIDs(provider string) bool {
	return provider == "openai" || provider == "openai-codex" || provider == "opencode"
}

// idPart sanitizes one half of a tool-call id: [a-zA-Z0-9_-], at most 64
// characters, no trailing underscores.
func idPart(s string) string {
	s = truncate(unsafeIDChars.ReplaceAllString(s, "_"), 64)
	return strings.TrimRight(s, "_")
}

// responsesToolCallID normalizes a foreign tool-call id for the target.
func responsesToolCallID(id string, target *ai.Model, source *ai.Message) string {
	if !pipedToolIDs(target.Provider) {
		return idPart(id)
	}
	call, item, ok := strings.Cut(id, "|")
	if !ok {
		return idPart(id)
	}
	item, _, _ = strings.Cut(item, "|")
	var normItem string
	if source.Provider != target.Provider || source.API != target.API {
		normItem = truncate("fc_"+shortHash(item), 64)
	} else {
		normItem = idPart(item)
	}
	if !strings.HasPrefix(normItem, "fc_") {
		normItem = idPart("fc_" + normItem) // the API requires "fc" item ids
	}
	return idPart(call) + "|" + normItem
}

func buildResponsesRequest(m *ai.Model, c *ai.Context, opts *ai.StreamOptions, cp *compat, retention, level string) *responsesRequest {
	req := &responsesRequest{
		Model:  m.ID,
		Input:  convertResponsesInput(m, c),
		Stream: true,
	}
	if retention != ai.CacheNone {
		req.PromptCacheKey = opts.SessionID
	}
	if retention == ai.CacheLong && cp.supportsLongCacheRetention {
		req.PromptCacheRetention = "24h"
	}
	req.MaxOutputTokens = ai.BaseMaxTokens(m, opts)
	req.Temperature = opts.Temperature
	for _, t := range c.Tools {
		req.Tools = append(req.Tools, responsesTool{Type: "function", Name: t.Name, Description: t.Description, Parameters: schemaOrEmpty(t.Parameters)})
	}
	if m.Reasoning {
		if level != "" {
			effort := level
			if v, ok := ai.MappedThinkingLevel(m, level); ok {
				effort = v
			}
			req.Reasoning = &responsesReasoning{Effort: effort, Summary: "auto"}
			req.Include = []string{"reasoning.encrypted_content"}
		} else if off, listed := m.ThinkingLevelMap[ai.ThinkingOff]; m.Provider != "github-copilot" && (!listed || off != nil) {
			effort := "none"
			if off != nil {
				effort = *off
			}
			req.Reasoning = &responsesReasoning{Effort: effort}
		}
	}
	return req
}

// convertResponsesInput turns the conversation into Responses input items:
// stored reasoning items go back verbatim, text as completed output
// messages, tool calls and results as function_call items.
func convertResponsesInput(m *ai.Model, c *ai.Context) []any {
	msgs := ai.TransformMessages(c.Messages, m, responsesToolCallID)
	out := make([]any, 0, len(msgs)+1)
	if c.SystemPrompt != "" {
		role := "system"
		if m.Reasoning {
			role = "developer"
		}
		out = append(out, roleContent{Role: role, Content: ai.SanitizeText(c.SystemPrompt)})
	}
	index := 0
	for i := range msgs {
		msg := &msgs[i]
		switch msg.Role {
		case ai.RoleUser:
			parts := responsesUserParts(msg)
			if len(parts) == 0 {
				continue
			}
			out = append(out, roleContent{Role: "user", Content: parts})
		case ai.RoleAssistant:
			items := responsesAssistantItems(m, msg, index)
			if len(items) == 0 {
				continue
			}
			out = append(out, items...)
		case ai.RoleToolResult:
			out = append(out, responsesToolOutput(m, msg))
		}
		index++
	}
	return out
}

func responsesUserParts(msg *ai.Message) []inputPart {
	if msg.ContentIsString {
		return []inputPart{{Type: "input_text", Text: msg.Text()}}
	}
	parts := make([]inputPart, 0, len(msg.Content))
	for _, c := range msg.Content {
		switch c.Type {
		case ai.ContentText:
			parts = append(parts, inputPart{Type: "input_text", Text: c.Text})
		case ai.ContentImage:
			parts = append(parts, inputImage(c))
		}
	}
	return parts
}

func inputImage(c ai.Content) inputPart {
	return inputPart{Type: "input_image", Detail: "auto", ImageURL: "data:" + c.MimeType + ";base64," + c.Data}
}

func responsesAssistantItems(m *ai.Model, msg *ai.Message, index int) []any {
	var items []any
	differentModel := msg.Model != m.ID && msg.Provider == m.Provider && msg.API == m.API
	for _, c := range msg.Content {
		switch c.Type {
		case ai.ContentThinking:
			if c.ThinkingSignature != "" && json.Valid([]byte(c.ThinkingSignature)) {
				items = append(items, json.RawMessage(c.ThinkingSignature))
			}
		case ai.ContentText:
			id, phase := parseTextSignature(c.TextSignature)
			switch {
			case id == "":
				id = "msg_" + strconv.Itoa(index)
			case len(id) > 64:
				id = "msg_" + shortHash(id)
			}
			items = append(items, outputMessage{
				Type: "message", Role: "assistant", Status: "completed", ID: id, Phase: phase,
				Content: []outputText{{Type: "output_text", Text: c.Text, Annotations: []any{}}},
			})
		case ai.ContentToolCall:
			call, item, _ := strings.Cut(c.ID, "|")
			item, _, _ = strings.Cut(item, "|")
			// OpenAI pairs fc_ items with the reasoning items of the model that
			// made them; another model's calls go without an item id.
			if differentModel && strings.HasPrefix(item, "fc_") {
				item = ""
			}
			items = append(items, functionCall{Type: "function_call", ID: item, CallID: call, Name: c.Name, Arguments: argsString(c.Arguments)})
		}
	}
	return items
}

func responsesToolOutput(m *ai.Model, msg *ai.Message) functionCallOutput {
	call, _, _ := strings.Cut(msg.ToolCallID, "|")
	var texts []string
	hasImage := false
	for _, c := range msg.Content {
		switch c.Type {
		case ai.ContentText:
			texts = append(texts, c.Text)
		case ai.ContentImage:
			hasImage = true
		}
	}
	text := strings.Join(texts, "\n")
	if hasImage && m.SupportsImages() {
		var parts []inputPart
		if text != "" {
			parts = append(parts, inputPart{Type: "input_text", Text: text})
		}
		for _, c := range msg.Content {
			if c.Type == ai.ContentImage {
				parts = append(parts, inputImage(c))
			}
		}
		return functionCallOutput{Type: "function_call_output", CallID: call, Output: parts}
	}
	if text == "" && hasImage {
		text = "(see attached image)"
	}
	return functionCallOutput{Type: "function_call_output", CallID: call, Output: text}
}
