package anthropic

import (
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// convertMessages turns the conversation into Anthropic messages the way pi
// does: blank text dropped, consecutive tool results merged into one user
// message, and cc on the last block of a final user message.
func convertMessages(m *ai.Model, history []ai.Message, oauth bool, cc *cacheControl) []message {
	msgs := ai.TransformMessages(history, m, toolCallID)
	out := make([]message, 0, len(msgs))
	for i := 0; i < len(msgs); i++ {
		msg := &msgs[i]
		switch msg.Role {
		case ai.RoleUser:
			if um, ok := userMessage(msg); ok {
				out = append(out, um)
			}
		case ai.RoleAssistant:
			if blocks := assistantBlocks(msg, oauth); len(blocks) > 0 {
				out = append(out, message{Role: "assistant", Content: blocks})
			}
		case ai.RoleToolResult:
			var results []*block
			for ; i < len(msgs) && msgs[i].Role == ai.RoleToolResult; i++ {
				r := &msgs[i]
				results = append(results, &block{
					Type:      "tool_result",
					ToolUseID: r.ToolCallID,
					Content:   toolResultContent(r.Content),
					IsError:   ptr(r.IsError),
				})
			}
			i--
			out = append(out, message{Role: "user", Content: results})
		}
	}
	if cc != nil && len(out) > 0 {
		markLast(&out[len(out)-1], cc)
	}
	return out
}

func userMessage(msg *ai.Message) (message, bool) {
	if msg.ContentIsString {
		text := msg.Text()
		return message{Role: "user", Content: text}, strings.TrimSpace(text) != ""
	}
	blocks := make([]*block, 0, len(msg.Content))
	for _, c := range msg.Content {
		switch c.Type {
		case ai.ContentText:
			if strings.TrimSpace(c.Text) != "" {
				blocks = append(blocks, textBlock(c.Text))
			}
		case ai.ContentImage:
			blocks = append(blocks, imageBlock(c))
		}
	}
	return message{Role: "user", Content: blocks}, len(blocks) > 0
}

func imageBlock(c ai.Content) *block {
	return &block{Type: "image", Source: &imageSource{Type: "base64", MediaType: c.MimeType, Data: c.Data}}
}

func assistantBlocks(msg *ai.Message, oauth bool) []*block {
	var blocks []*block
	for _, c := range msg.Content {
		switch c.Type {
		case ai.ContentText:
			if strings.TrimSpace(c.Text) != "" {
				blocks = append(blocks, textBlock(c.Text))
			}
		case ai.ContentThinking:
			switch {
			case c.Redacted:
				blocks = append(blocks, &block{Type: "redacted_thinking", Data: c.ThinkingSignature})
			case strings.TrimSpace(c.Thinking) == "":
			case strings.TrimSpace(c.ThinkingSignature) == "":
				// Thinking without a signature (an aborted stream) goes back as
				// plain text: the API rejects unsigned thinking.
				blocks = append(blocks, textBlock(c.Thinking))
			default:
				blocks = append(blocks, &block{Type: "thinking", Thinking: c.Thinking, Signature: c.ThinkingSignature})
			}
		case ai.ContentToolCall:
			name := c.Name
			if oauth {
				name = toClaudeCodeName(name)
			}
			input := c.Arguments
			if len(input) == 0 {
				input = []byte("{}")
			}
			blocks = append(blocks, &block{Type: "tool_use", ID: c.ID, Name: name, Input: input})
		}
	}
	return blocks
}

// toolResultContent is a joined string for text-only results, else blocks
// with a placeholder text when there are only images.
func toolResultContent(content []ai.Content) any {
	hasImage := false
	for _, c := range content {
		if c.Type == ai.ContentImage {
			hasImage = true
		}
	}
	if !hasImage {
		texts := make([]string, 0, len(content))
		for _, c := range content {
			texts = append(texts, c.Text)
		}
		return strings.Join(texts, "\n")
	}
	blocks := make([]*block, 0, len(content)+1)
	hasText := false
	for _, c := range content {
		if c.Type == ai.ContentText {
			blocks = append(blocks, textBlock(c.Text))
			hasText = true
		} else {
			blocks = append(blocks, imageBlock(c))
		}
	}
	if !hasText {
		blocks = append([]*block{textBlock("(see attached image)")}, blocks...)
	}
	return blocks
}

// markLast caches the conversation: cc goes on the last text, image or
// tool_result block of the final message when it is the user's.
func markLast(m *message, cc *cacheControl) {
	if m.Role != "user" {
		return
	}
	switch content := m.Content.(type) {
	case string:
		b := textBlock(content)
		b.CacheControl = cc
		m.Content = []*block{b}
	case []*block:
		if len(content) == 0 {
			return
		}
		last := content[len(content)-1]
		if last.Type == "text" || last.Type == "image" || last.Type == "tool_result" {
			last.CacheControl = cc
		}
	}
}

// Claude Code's canonical tool names, which OAuth (subscription) requests
// must use.
var claudeCodeTools = []string{
	"Read", "Write", "Edit", "Bash", "Grep", "Glob", "AskUserQuestion", "EnterPlanMode", "ExitPlanMode",
	"KillShell", "NotebookEdit", "Skill", "Task", "TaskOutput", "TodoWrite", "WebFetch", "WebSearch",
}

func toClaudeCodeName(name string) string {
	for _, cc := range claudeCodeTools {
		if strings.EqualFold(cc, name) {
			return cc
		}
	}
	return name
}

// fromClaudeCodeName maps a name in a response back to our tool's casing.
func fromClaudeCodeName(name string, tools []ai.ToolSpec) string {
	for _, t := range tools {
		if strings.EqualFold(t.Name, name) {
			return t.Name
		}
	}
	return name
}
