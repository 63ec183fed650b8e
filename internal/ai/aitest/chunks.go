package aitest

import (
	"unicode"
	"unicode/utf8"
)

// textChunks splits s into deltas: size characters each, or by default one
// word each with the whitespace before it attached.
func textChunks(s string, size int) []string {
	if s == "" {
		return nil
	}
	if size > 0 {
		return runeChunks(s, size)
	}
	var out []string
	start := 0
	inSpace := false
	for i, r := range s {
		space := unicode.IsSpace(r)
		if space && !inSpace && i > start {
			out = append(out, s[start:i])
			start = i
		}
		inSpace = space
	}
	return append(out, s[start:])
}

// argChunks splits tool arguments into fragments of size characters
// (default 16).
func argChunks(s string, size int) []string {
	if size <= 0 {
		size = 16
	}
	return runeChunks(s, size)
}

func runeChunks(s string, size int) []string {
	var out []string
	for len(s) > 0 {
		n, i := 0, 0
		for i < len(s) && n < size {
			_, w := utf8.DecodeRuneInString(s[i:])
			i += w
			n++
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}
