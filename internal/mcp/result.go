package mcp

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// ErrorPrefix starts the first text block of a result the server flagged
// with isError.
const ErrorPrefix = "[error]"

// mapResult turns an MCP tool result into agent content: text stays text,
// images stay images, everything else (resource links, embedded
// resources, audio, blocks this SDK does not know) becomes its JSON as
// text. isError prefixes the first text block.
func mapResult(res *sdk.CallToolResult) []ai.Content {
	out := make([]ai.Content, 0, len(res.Content))
	for _, c := range res.Content {
		switch v := c.(type) {
		case *sdk.TextContent:
			out = append(out, ai.TextContent(v.Text))
		case *sdk.ImageContent:
			if v.MIMEType != "" {
				out = append(out, ai.ImageContent(base64.StdEncoding.EncodeToString(v.Data), v.MIMEType))
				continue
			}
			out = append(out, ai.TextContent(jsonText(v)))
		default:
			out = append(out, ai.TextContent(jsonText(v)))
		}
	}
	if len(out) == 0 && res.StructuredContent != nil {
		out = append(out, ai.TextContent(jsonText(res.StructuredContent)))
	}
	if res.IsError {
		markError(&out)
	}
	return out
}

func markError(out *[]ai.Content) {
	for i := range *out {
		if (*out)[i].Type == ai.ContentText {
			(*out)[i].Text = ErrorPrefix + " " + (*out)[i].Text
			return
		}
	}
	*out = append([]ai.Content{ai.TextContent(ErrorPrefix)}, *out...)
}

func jsonText(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(data)
}

// TruncationMarker replaces the middle of a truncated result.
const TruncationMarker = "[--- MCP_RESULT_TRUNCATED: omitted middle content… ---]"

// truncate keeps a result's text within maxChars characters: when the text
// of all blocks together is longer, the texts are joined with a blank line
// and the first 60% and last 40% of maxChars are kept, in one text block
// led by a warning for the model. Images keep their places; the text block
// takes the place of the first text block. It reports whether it cut.
func truncate(content []ai.Content, maxChars int) ([]ai.Content, bool) {
	if maxChars <= 0 {
		return content, false
	}
	var texts []string
	total := 0
	for _, c := range content {
		if c.Type == ai.ContentText {
			texts = append(texts, c.Text)
			total += runeLen(c.Text)
		}
	}
	if total <= maxChars {
		return content, false
	}
	joined := strings.Join(texts, "\n\n")
	total = runeLen(joined)
	headLen := maxChars * 6 / 10
	tailLen := maxChars - headLen
	omitted := total - headLen - tailLen
	var b strings.Builder
	fmt.Fprintf(&b, "MCP_RESULT_TRUNCATED: %d characters (~%d tokens) were omitted from the middle of this result. "+
		"If you need them, call the tool again with a smaller scope, a filter or pagination.\n\n", omitted, (omitted+3)/4)
	b.WriteString(firstRunes(joined, headLen))
	b.WriteString("\n\n" + TruncationMarker + "\n\n")
	b.WriteString(lastRunes(joined, tailLen))
	out := make([]ai.Content, 0, len(content)-len(texts)+1)
	placed := false
	for _, c := range content {
		if c.Type != ai.ContentText {
			out = append(out, c)
			continue
		}
		if !placed {
			out = append(out, ai.TextContent(b.String()))
			placed = true
		}
	}
	return out, true
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// firstRunes is the first n characters of s.
func firstRunes(s string, n int) string {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// lastRunes is the last n characters of s.
func lastRunes(s string, n int) string {
	i := len(s)
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return s[i:]
}
