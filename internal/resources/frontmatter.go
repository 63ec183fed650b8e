package resources

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// normalizeNewlines turns CRLF and lone CR into LF, as pi does before it
// looks for frontmatter.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// splitFrontmatter separates a YAML header from a markdown body with pi's
// rule: the text must start with "---", and the header ends at the first
// later line that starts with "---". The body after a header is trimmed; a
// text without a header is returned whole (newlines normalized).
func splitFrontmatter(content string) (header string, body string, ok bool) {
	s := normalizeNewlines(content)
	if !strings.HasPrefix(s, "---") {
		return "", s, false
	}
	end := strings.Index(s[3:], "\n---")
	if end < 0 {
		return "", s, false
	}
	end += 3
	header = ""
	if end > 4 {
		header = s[4:end]
	}
	return header, trimJS(s[end+4:]), true
}

// parseFrontmatter returns the header's keys and the body. An empty header
// has no keys. A header that is not valid YAML is an error (pi skips such a
// template and reports a skill with the parser's message).
func parseFrontmatter(content string) (map[string]any, string, error) {
	header, body, _ := splitFrontmatter(content)
	if header == "" {
		return map[string]any{}, body, nil
	}
	var v any
	if err := yaml.Unmarshal([]byte(header), &v); err != nil {
		return nil, body, fmt.Errorf("frontmatter: %w", err)
	}
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m, body, nil
}

// fmString reads a frontmatter value as text the way JavaScript would
// coerce a truthy scalar; missing, null, false and "" give "".
func fmString(m map[string]any, key string) string {
	switch v := m[key].(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		if v {
			return "true"
		}
		return ""
	case int:
		if v == 0 {
			return ""
		}
		return fmt.Sprint(v)
	case float64:
		if v == 0 {
			return ""
		}
		return fmt.Sprint(v)
	default:
		return fmt.Sprint(v)
	}
}

// jsSpace is what JavaScript's trim and \s treat as white space.
func jsSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// trimJS is JavaScript's String.prototype.trim.
func trimJS(s string) string { return strings.TrimFunc(s, jsSpace) }
