package tools

import "strings"

// Output limits shared by the tools (pi's values).
const (
	DefaultMaxLines    = 2000
	DefaultMaxBytes    = 50 * 1024
	GrepMaxLineLength  = 500
	maxSafeInteger     = 1<<53 - 1 // JavaScript's Number.MAX_SAFE_INTEGER: "no line limit"
	truncatedLineMarks = "... [truncated]"
)

// Truncation describes what TruncateHead or TruncateTail kept. It is put
// into a tool result's details.truncation with pi's field names.
type Truncation struct {
	Content               string  `json:"content"`
	Truncated             bool    `json:"truncated"`
	TruncatedBy           *string `json:"truncatedBy"` // "lines", "bytes" or null
	TotalLines            int     `json:"totalLines"`
	TotalBytes            int     `json:"totalBytes"`
	OutputLines           int     `json:"outputLines"`
	OutputBytes           int     `json:"outputBytes"`
	LastLinePartial       bool    `json:"lastLinePartial"`
	FirstLineExceedsLimit bool    `json:"firstLineExceedsLimit"`
	MaxLines              int     `json:"maxLines"`
	MaxBytes              int     `json:"maxBytes"`
}

func by(s string) *string { return &s }

// startTruncation splits content into lines and fills in the totals; when
// content is within both limits the result is complete (not Truncated).
func startTruncation(content string, maxLines, maxBytes int) ([]string, Truncation) {
	lines := strings.Split(content, "\n")
	t := Truncation{TotalLines: len(lines), TotalBytes: len(content), MaxLines: maxLines, MaxBytes: maxBytes}
	if len(lines) <= maxLines && len(content) <= maxBytes {
		t.Content, t.OutputLines, t.OutputBytes = content, len(lines), len(content)
		return lines, t
	}
	t.Truncated = true
	return lines, t
}

// TruncateHead keeps whole leading lines while both limits hold (a line's
// newline counts as one byte). If the first line alone is over maxBytes the
// result is empty with FirstLineExceedsLimit set.
func TruncateHead(content string, maxLines, maxBytes int) Truncation {
	lines, t := startTruncation(content, maxLines, maxBytes)
	if !t.Truncated {
		return t
	}
	if len(lines[0]) > maxBytes {
		t.TruncatedBy, t.FirstLineExceedsLimit = by("bytes"), true
		return t
	}
	n, size := 0, 0
	t.TruncatedBy = by("lines")
	for i := 0; i < len(lines) && i < maxLines; i++ {
		lineBytes := len(lines[i])
		if i > 0 {
			lineBytes++
		}
		if size+lineBytes > maxBytes {
			t.TruncatedBy = by("bytes")
			break
		}
		n++
		size += lineBytes
	}
	if n >= maxLines && size <= maxBytes {
		t.TruncatedBy = by("lines")
	}
	t.Content = strings.Join(lines[:n], "\n")
	t.OutputLines, t.OutputBytes = n, len(t.Content)
	return t
}

// TruncateTail keeps whole trailing lines while both limits hold. If the
// last line alone is over maxBytes it keeps that line's last maxBytes bytes
// (from a UTF-8 boundary) and sets LastLinePartial.
func TruncateTail(content string, maxLines, maxBytes int) Truncation {
	lines, t := startTruncation(content, maxLines, maxBytes)
	if !t.Truncated {
		return t
	}
	t.TruncatedBy = by("lines")
	start, size := len(lines), 0
	for i := len(lines) - 1; i >= 0 && len(lines)-start < maxLines; i-- {
		lineBytes := len(lines[i])
		if start < len(lines) {
			lineBytes++
		}
		if size+lineBytes > maxBytes {
			t.TruncatedBy = by("bytes")
			if start == len(lines) {
				tail := tailBytes(lines[i], maxBytes)
				t.Content, t.OutputLines, t.OutputBytes = tail, 1, len(tail)
				t.LastLinePartial = true
				return t
			}
			break
		}
		start = i
		size += lineBytes
	}
	if len(lines)-start >= maxLines && size <= maxBytes {
		t.TruncatedBy = by("lines")
	}
	t.Content = strings.Join(lines[start:], "\n")
	t.OutputLines, t.OutputBytes = len(lines)-start, len(t.Content)
	return t
}

// tailBytes returns the last max bytes of s, moved forward to a rune start.
func tailBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	start := len(s) - max
	for start < len(s) && s[start]&0xC0 == 0x80 {
		start++
	}
	return s[start:]
}

// truncateLine shortens a grep line to max UTF-16 units (pi counts
// JavaScript string length) and marks it.
func truncateLine(line string, max int) (string, bool) {
	if len(line) <= max { // byte length bounds the UTF-16 length from above
		return line, false
	}
	if utf16Len(line) <= max {
		return line, false
	}
	units := 0
	for i, r := range line {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if units+w > max {
			// A surrogate pair cut in half by pi keeps a lone high
			// surrogate, which UTF-8 cannot hold; stop before the pair.
			return line[:i] + truncatedLineMarks, true
		}
		units += w
	}
	return line + truncatedLineMarks, true
}
