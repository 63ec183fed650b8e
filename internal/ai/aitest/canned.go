package aitest

import (
	"encoding/json"
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
)

const lorem = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat"

// canned makes the fallback reply for req.
func canned(c *Canned, req Request) Response {
	var text string
	if c.Mode == "lorem" {
		text = loremWords(c.Words)
	} else {
		last := lastUserText(req.API, req.Body)
		if last == "" {
			last = "(no text)"
		}
		text = "You said: " + last
	}
	return Response{
		Blocks:    []Block{{Type: BlockText, Text: text}},
		DelayMS:   c.DelayMS,
		ChunkSize: c.ChunkSize,
	}
}

func loremWords(n int) string {
	if n <= 0 {
		n = 50
	}
	words := strings.Fields(lorem)
	out := make([]string, n)
	for i := range out {
		out[i] = words[i%len(words)]
	}
	out[0] = strings.ToUpper(out[0][:1]) + out[0][1:]
	return strings.Join(out, " ") + "."
}

// lastUserText finds the text of the last user turn in a request body of
// any wire format (tool results excluded).
func lastUserText(api string, body []byte) string {
	var req struct {
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
		Input []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"input"`
		Contents []struct {
			Role  string `json:"role"`
			Parts []struct {
				Text *string `json:"text"`
			} `json:"parts"`
		} `json:"contents"`
	}
	if json.Unmarshal(body, &req) != nil {
		return ""
	}
	switch api {
	case ai.APIGoogleGenerativeAI:
		for i := len(req.Contents) - 1; i >= 0; i-- {
			c := req.Contents[i]
			var parts []string
			for _, p := range c.Parts {
				if p.Text != nil {
					parts = append(parts, *p.Text)
				}
			}
			if c.Role == "user" && len(parts) > 0 {
				return strings.Join(parts, "\n")
			}
		}
	case ai.APIOpenAIResponses:
		for i := len(req.Input) - 1; i >= 0; i-- {
			if req.Input[i].Role == "user" {
				if t := contentText(req.Input[i].Content); t != "" {
					return t
				}
			}
		}
	default:
		for i := len(req.Messages) - 1; i >= 0; i-- {
			if req.Messages[i].Role == "user" {
				if t := contentText(req.Messages[i].Content); t != "" {
					return t
				}
			}
		}
	}
	return ""
}

// contentText reads a string content or the text parts of a block array.
func contentText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var blocks []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &blocks) != nil {
		return ""
	}
	var parts []string
	for _, b := range blocks {
		if b.Type == "text" || b.Type == "input_text" {
			parts = append(parts, b.Text)
		}
	}
	return strings.Join(parts, "\n")
}
