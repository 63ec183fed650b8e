package openai

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
)

var unsafeIDChars = regexp.MustCompile(`[^a-zA-Z0-9_-]`)

// chatToolCallID shortens foreign ids: a Responses "call|item" id keeps its
// call part, sanitized, at most 40 characters (OpenAI's limit); provider
// openai truncates any id to 40.
func chatToolCallID(id string, target *ai.Model, _ *ai.Message) string {
	if call, _, ok := strings.Cut(id, "|"); ok {
		return truncate(unsafeIDChars.ReplaceAllString(call, "_"), 40)
	}
	if target.Provider == "openai" {
		return truncate(id, 40)
	}
	return id
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// bridgeText is the assistant turn some servers need between tool results
// and a user message.
const bridgeText = "I have processed the tool results."

// convertChatMessages turns the conversation into chat messages the way pi
// does, including its compat workarounds.
func convertChatMessages(m *ai.Model, c *ai.Context, cp *compat) []*chatMessage {
	msgs := ai.TransformMessages(c.Messages, m, chatToolCallID)
	out := make([]*chatMessage, 0, len(msgs)+1)
	if c.SystemPrompt != "" {
		role := "system"
		if m.Reasoning && cp.supportsDeveloperRole {
			role = "developer"
		}
		out = append(out, &chatMessage{Role: role, Content: ai.SanitizeText(c.SystemPrompt)})
	}
	lastRole := ""
	for i := 0; i < len(msgs); i++ {
		msg := &msgs[i]
		if cp.requiresAssistantAfterToolResult && lastRole == ai.RoleToolResult && msg.Role == ai.RoleUser {
			out = append(out, &chatMessage{Role: "assistant", Content: bridgeText})
		}
		switch msg.Role {
		case ai.RoleUser:
			if cm := chatUser(msg); cm != nil {
				out = append(out, cm)
			}
		case ai.RoleAssistant:
			if cm := chatAssistant(m, msg, cp); cm != nil {
				out = append(out, cm)
			}
		case ai.RoleToolResult:
			j := i
			for j < len(msgs) && msgs[j].Role == ai.RoleToolResult {
				j++
			}
			var endedWithUser bool
			out, endedWithUser = appendChatToolResults(out, m, msgs[i:j], cp)
			i = j - 1
			lastRole = ai.RoleToolResult
			if endedWithUser {
				lastRole = ai.RoleUser
			}
			continue
		}
		lastRole = msg.Role
	}
	return out
}

func chatUser(msg *ai.Message) *chatMessage {
	if msg.ContentIsString {
		return &chatMessage{Role: "user", Content: msg.Text()}
	}
	parts := make([]*chatPart, 0, len(msg.Content))
	for _, c := range msg.Content {
		switch c.Type {
		case ai.ContentText:
			parts = append(parts, &chatPart{Type: "text", Text: c.Text})
		case ai.ContentImage:
			parts = append(parts, imagePart(c))
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return &chatMessage{Role: "user", Content: parts}
}

func imagePart(c ai.Content) *chatPart {
	return &chatPart{Type: "image_url", ImageURL: &chatImageURL{URL: "data:" + c.MimeType + ";base64," + c.Data}}
}

func chatAssistant(m *ai.Model, msg *ai.Message, cp *compat) *chatMessage {
	out := &chatMessage{Role: "assistant"}
	if cp.requiresAssistantAfterToolResult {
		out.Content = "" // some servers reject null content
	}
	var texts []*chatPart
	var joined strings.Builder
	var thinking []ai.Content
	var calls []ai.Content
	for _, c := range msg.Content {
		switch c.Type {
		case ai.ContentText:
			if strings.TrimSpace(c.Text) != "" {
				texts = append(texts, &chatPart{Type: "text", Text: c.Text})
				joined.WriteString(c.Text)
			}
		case ai.ContentThinking:
			if strings.TrimSpace(c.Thinking) != "" {
				thinking = append(thinking, c)
			}
		case ai.ContentToolCall:
			calls = append(calls, c)
		}
	}
	switch {
	case len(thinking) > 0 && cp.requiresThinkingAsText:
		parts := make([]string, len(thinking))
		for i, t := range thinking {
			parts[i] = t.Thinking
		}
		out.Content = append([]*chatPart{{Type: "text", Text: strings.Join(parts, "\n\n")}}, texts...)
	case len(thinking) > 0:
		// Assistant text goes back as a plain string: some models mirror an
		// array of parts literally in their next answer.
		if joined.Len() > 0 {
			out.Content = joined.String()
		}
		if field := thinking[0].ThinkingSignature; field != "" {
			parts := make([]string, len(thinking))
			for i, t := range thinking {
				parts[i] = t.Thinking
			}
			out.reasoning = append(out.reasoning, reasoningField{field, strings.Join(parts, "\n")})
		}
	case joined.Len() > 0:
		out.Content = joined.String()
	}
	for _, tc := range calls {
		out.ToolCalls = append(out.ToolCalls, chatToolCall{
			ID:       tc.ID,
			Type:     "function",
			Function: chatCallFunction{Name: tc.Name, Arguments: argsString(tc.Arguments)},
		})
		if tc.ThoughtSignature != "" && json.Valid([]byte(tc.ThoughtSignature)) {
			out.ReasoningDetails = append(out.ReasoningDetails, json.RawMessage(tc.ThoughtSignature))
		}
	}
	if cp.requiresReasoningContentOnReplay && m.Reasoning && !out.hasReasoning("reasoning_content") {
		out.reasoning = append(out.reasoning, reasoningField{name: "reasoning_content"})
	}
	if !hasChatContent(out.Content) && len(out.ToolCalls) == 0 {
		return nil
	}
	return out
}

func hasChatContent(content any) bool {
	switch c := content.(type) {
	case string:
		return c != ""
	case []*chatPart:
		return len(c) > 0
	}
	return false
}

// argsString is the arguments object as a compact JSON string, the way
// JSON.stringify writes it.
func argsString(a json.RawMessage) string {
	if len(a) == 0 {
		return "{}"
	}
	return string(compactJSON(a))
}

// appendChatToolResults writes a run of tool results as "tool" messages;
// their images follow in one user message, for models that take images.
// It reports whether it ended with that user message.
func appendChatToolResults(out []*chatMessage, m *ai.Model, results []ai.Message, cp *compat) ([]*chatMessage, bool) {
	var images []*chatPart
	for i := range results {
		r := &results[i]
		var texts []string
		hasImage := false
		for _, c := range r.Content {
			switch c.Type {
			case ai.ContentText:
				texts = append(texts, c.Text)
			case ai.ContentImage:
				hasImage = true
				if m.SupportsImages() {
					images = append(images, imagePart(c))
				}
			}
		}
		text := strings.Join(texts, "\n")
		if text == "" && hasImage {
			// pi sends this placeholder for any result without text; an
			// empty output is sent as empty here, which is what it is.
			text = "(see attached image)"
		}
		tm := &chatMessage{Role: "tool", Content: text, ToolCallID: r.ToolCallID}
		if cp.requiresToolResultName && r.ToolName != "" {
			tm.Name = r.ToolName
		}
		out = append(out, tm)
	}
	if len(images) == 0 {
		return out, false
	}
	if cp.requiresAssistantAfterToolResult {
		out = append(out, &chatMessage{Role: "assistant", Content: bridgeText})
	}
	parts := append([]*chatPart{{Type: "text", Text: "Attached image(s) from tool result:"}}, images...)
	return append(out, &chatMessage{Role: "user", Content: parts}), true
}
