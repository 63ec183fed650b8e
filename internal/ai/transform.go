package ai

import (
	"strings"
	"unicode/utf8"
)

// Placeholders that stand in for images a model cannot take.
const (
	ImageOmittedUser = "(image omitted: model does not support images)"
	ImageOmittedTool = "(tool image omitted: model does not support images)"
	NoResultProvided = "No result provided"
)

// NormalizeToolCallID rewrites the id of a tool call made by another model
// (source is the assistant message that holds it) into a form the target
// API accepts. Nil keeps ids unchanged.
type NormalizeToolCallID func(id string, target *Model, source *Message) string

// TransformMessages prepares a conversation for one provider call, the same
// way for every adapter:
//   - assistant messages that ended in error or aborted are dropped;
//   - from another model (provider, api and id must all match to count as the
//     same), thinking becomes plain text (empty and redacted thinking is
//     dropped), text signatures and thoughtSignature are stripped, and tool
//     call ids are normalized with the matching toolResult ids remapped;
//   - a tool call without a result before the next assistant or user message
//     gets a synthetic error result "No result provided";
//   - images become a placeholder text when the model has no image input;
//   - invalid UTF-8 is dropped from every text.
//
// The input is not modified; unchanged messages are shared with it.
func TransformMessages(msgs []Message, target *Model, normalize NormalizeToolCallID) []Message {
	images := target.SupportsImages()
	idMap := map[string]string{}
	out := make([]Message, 0, len(msgs)+2)
	var pending []Content
	answered := map[string]bool{}

	flush := func() {
		for _, tc := range pending {
			if !answered[tc.ID] {
				out = append(out, Message{
					Role:       RoleToolResult,
					ToolCallID: tc.ID,
					ToolName:   tc.Name,
					Content:    []Content{TextContent(NoResultProvided)},
					IsError:    true,
				})
			}
		}
		pending = nil
		clear(answered)
	}

	for i := range msgs {
		msg := msgs[i]
		switch msg.Role {
		case RoleUser:
			flush()
			msg.Content = cleanUserContent(msg.Content, images, ImageOmittedUser)
			out = append(out, msg)
		case RoleToolResult:
			if id, ok := idMap[msg.ToolCallID]; ok {
				msg.ToolCallID = id
			}
			msg.Content = cleanUserContent(msg.Content, images, ImageOmittedTool)
			answered[msg.ToolCallID] = true
			out = append(out, msg)
		case RoleAssistant:
			flush()
			if msg.StopReason == StopReasonError || msg.StopReason == StopReasonAborted {
				continue
			}
			msg.Content = transformAssistant(&msgs[i], target, normalize, idMap)
			for _, c := range msg.Content {
				if c.Type == ContentToolCall {
					pending = append(pending, c)
				}
			}
			out = append(out, msg)
		default:
			out = append(out, msg)
		}
	}
	flush()
	return out
}

// SameModel reports whether an assistant message came from the target model:
// provider, api and model id all match.
func SameModel(msg *Message, target *Model) bool {
	return msg.Provider == target.Provider && msg.API == target.API && msg.Model == target.ID
}

func transformAssistant(msg *Message, target *Model, normalize NormalizeToolCallID, idMap map[string]string) []Content {
	same := SameModel(msg, target)
	out := make([]Content, 0, len(msg.Content))
	for _, c := range msg.Content {
		switch c.Type {
		case ContentThinking:
			switch {
			case c.Redacted:
				if same {
					out = append(out, c)
				}
			case same && c.ThinkingSignature != "":
				c.Thinking = SanitizeText(c.Thinking)
				out = append(out, c)
			case strings.TrimSpace(c.Thinking) == "":
			case same:
				c.Thinking = SanitizeText(c.Thinking)
				out = append(out, c)
			default:
				out = append(out, TextContent(SanitizeText(c.Thinking)))
			}
		case ContentText:
			if !same {
				c = TextContent(c.Text)
			}
			c.Text = SanitizeText(c.Text)
			out = append(out, c)
		case ContentToolCall:
			if !same {
				c.ThoughtSignature = ""
				if normalize != nil {
					if id := normalize(c.ID, target, msg); id != c.ID {
						idMap[c.ID] = id
						c.ID = id
					}
				}
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return out
}

// cleanUserContent sanitizes text and, for models without image input,
// replaces each run of images with one placeholder text.
func cleanUserContent(content []Content, images bool, placeholder string) []Content {
	out := make([]Content, 0, len(content))
	lastWasPlaceholder := false
	for _, c := range content {
		if c.Type == ContentImage && !images {
			if !lastWasPlaceholder {
				out = append(out, TextContent(placeholder))
			}
			lastWasPlaceholder = true
			continue
		}
		if c.Type == ContentText {
			c.Text = SanitizeText(c.Text)
		}
		out = append(out, c)
		lastWasPlaceholder = c.Type == ContentText && c.Text == placeholder
	}
	return out
}

// SanitizeText drops invalid UTF-8, which providers reject (pi removes
// unpaired UTF-16 surrogates for the same reason).
func SanitizeText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "")
}
