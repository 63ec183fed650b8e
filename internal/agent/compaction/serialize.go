package compaction

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// toolResultMaxChars caps each tool result in a summarization request.
const toolResultMaxChars = 2000

// SerializeConversation renders LLM messages as labelled text blocks, so the
// summarizing model reads a transcript instead of continuing a conversation.
// Call convert.ToLLM first.
func SerializeConversation(msgs []ai.Message) string {
	var parts []string
	for i := range msgs {
		m := &msgs[i]
		switch m.Role {
		case ai.RoleUser:
			if t := joinText(m.Content, ""); t != "" {
				parts = append(parts, "[User]: "+t)
			}
		case ai.RoleAssistant:
			parts = appendAssistant(parts, m)
		case ai.RoleToolResult:
			if t := joinText(m.Content, ""); t != "" {
				parts = append(parts, "[Tool result]: "+truncateChars(t, toolResultMaxChars))
			}
		}
	}
	return strings.Join(parts, "\n\n")
}

func appendAssistant(parts []string, m *ai.Message) []string {
	var text, thinking, calls []string
	for _, c := range m.Content {
		switch c.Type {
		case ai.ContentText:
			text = append(text, c.Text)
		case ai.ContentThinking:
			thinking = append(thinking, c.Thinking)
		case ai.ContentToolCall:
			calls = append(calls, c.Name+"("+formatArgs(c.Arguments)+")")
		}
	}
	if len(thinking) > 0 {
		parts = append(parts, "[Assistant thinking]: "+strings.Join(thinking, "\n"))
	}
	if len(text) > 0 {
		parts = append(parts, "[Assistant]: "+strings.Join(text, "\n"))
	}
	if len(calls) > 0 {
		parts = append(parts, "[Assistant tool calls]: "+strings.Join(calls, "; "))
	}
	return parts
}

func joinText(content []ai.Content, sep string) string {
	var texts []string
	for _, c := range content {
		if c.Type == ai.ContentText {
			texts = append(texts, c.Text)
		}
	}
	return strings.Join(texts, sep)
}

// formatArgs writes an arguments object as `k=<json>, ...` in the order the
// model sent the keys.
func formatArgs(raw json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ""
	}
	var parts []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if dec.Decode(&val) != nil {
			break
		}
		var compact bytes.Buffer
		if json.Compact(&compact, val) != nil {
			compact.Reset()
			compact.Write(val)
		}
		parts = append(parts, key+"="+compact.String())
	}
	return strings.Join(parts, ", ")
}

// truncateChars keeps the first max UTF-16 units of s (pi counts JS string
// length) and says how many were dropped.
func truncateChars(s string, max int) string {
	n := jsLen(s)
	if n <= max {
		return s
	}
	units := utf16.Encode([]rune(s))
	head := string(utf16.Decode(units[:max]))
	return head + "\n\n[... " + strconv.Itoa(n-max) + " more characters truncated]"
}
