package google

import (
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
)

func toolCallID(id string, target *ai.Model, _ *ai.Message) string {
	if !needsCallID(target.ID) {
		return id
	}
	id = unsafeID.ReplaceAllString(id, "_")
	if len(id) > 64 {
		id = id[:64]
	}
	return id
}

// convertContents turns the conversation into Gemini contents the way pi
// does: assistant turns become "model" with signatures kept only for the
// same provider and model, and tool results of one turn share a user turn.
func convertContents(m *ai.Model, history []ai.Message) []*content {
	msgs := ai.TransformMessages(history, m, toolCallID)
	out := make([]*content, 0, len(msgs))
	for i := range msgs {
		msg := &msgs[i]
		switch msg.Role {
		case ai.RoleUser:
			if c := userContent(msg); c != nil {
				out = append(out, c)
			}
		case ai.RoleAssistant:
			if parts := modelParts(m, msg); len(parts) > 0 {
				out = append(out, &content{Role: "model", Parts: parts})
			}
		case ai.RoleToolResult:
			out = appendToolResult(out, m, msg)
		}
	}
	return out
}

func userContent(msg *ai.Message) *content {
	if msg.ContentIsString {
		return &content{Role: "user", Parts: []*part{textPart(msg.Text())}}
	}
	parts := make([]*part, 0, len(msg.Content))
	for _, c := range msg.Content {
		switch c.Type {
		case ai.ContentText:
			parts = append(parts, textPart(c.Text))
		case ai.ContentImage:
			parts = append(parts, &part{InlineData: &inlineData{MimeType: c.MimeType, Data: c.Data}})
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return &content{Role: "user", Parts: parts}
}

func modelParts(m *ai.Model, msg *ai.Message) []*part {
	same := msg.Provider == m.Provider && msg.Model == m.ID
	signature := func(s string) string {
		if same && validSignature(s) {
			return s
		}
		return ""
	}
	var parts []*part
	for _, c := range msg.Content {
		switch c.Type {
		case ai.ContentText:
			if strings.TrimSpace(c.Text) == "" {
				continue
			}
			p := textPart(c.Text)
			p.ThoughtSignature = signature(c.TextSignature)
			parts = append(parts, p)
		case ai.ContentThinking:
			if strings.TrimSpace(c.Thinking) == "" {
				continue
			}
			p := textPart(c.Thinking)
			if same {
				p.Thought = true
				p.ThoughtSignature = signature(c.ThinkingSignature)
			}
			parts = append(parts, p)
		case ai.ContentToolCall:
			call := &functionCall{Name: c.Name, Args: c.Arguments}
			if len(call.Args) == 0 {
				call.Args = []byte("{}")
			}
			if needsCallID(m.ID) {
				call.ID = c.ID
			}
			parts = append(parts, &part{FunctionCall: call, ThoughtSignature: signature(c.ThoughtSignature)})
		}
	}
	return parts
}

// appendToolResult adds a functionResponse, to the previous user turn when
// that turn already holds function responses. Images go inside the response
// for Gemini 3+, else into a separate user turn.
func appendToolResult(out []*content, m *ai.Model, msg *ai.Message) []*content {
	var texts []string
	var images []*part
	for _, c := range msg.Content {
		switch c.Type {
		case ai.ContentText:
			texts = append(texts, c.Text)
		case ai.ContentImage:
			if m.SupportsImages() {
				images = append(images, &part{InlineData: &inlineData{MimeType: c.MimeType, Data: c.Data}})
			}
		}
	}
	text := strings.Join(texts, "\n")
	if text == "" && len(images) > 0 {
		text = "(see attached image)"
	}
	key := "output"
	if msg.IsError {
		key = "error"
	}
	fr := &functionResponse{Name: msg.ToolName, Response: map[string]string{key: text}}
	multimodal := multimodalResults(m.ID)
	if len(images) > 0 && multimodal {
		fr.Parts = images
	}
	if needsCallID(m.ID) {
		fr.ID = msg.ToolCallID
	}
	p := &part{FunctionResponse: fr}
	if n := len(out); n > 0 && out[n-1].Role == "user" && hasFunctionResponse(out[n-1]) {
		out[n-1].Parts = append(out[n-1].Parts, p)
	} else {
		out = append(out, &content{Role: "user", Parts: []*part{p}})
	}
	if len(images) > 0 && !multimodal {
		out = append(out, &content{Role: "user", Parts: append([]*part{textPart("Tool result image:")}, images...)})
	}
	return out
}

func hasFunctionResponse(c *content) bool {
	for _, p := range c.Parts {
		if p.FunctionResponse != nil {
			return true
		}
	}
	return false
}
