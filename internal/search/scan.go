package search

import (
	"bytes"
	"unicode/utf8"

	"github.com/pi-forge/pi-forge/internal/linematch"
)

// scanner searches one file's content at a time; each worker owns one.
type scanner struct {
	lines *linematch.Scanner
	buf   []byte // file content
}

func newScanner(p *plan) *scanner { return &scanner{lines: p.match.Scanner()} }

// scan reports every match in data (a file's content) through emit,
// stopping early when emit returns false.
func (s *scanner) scan(rel string, data []byte, emit func(Match) bool) {
	s.lines.Scan(data, 1, func(l linematch.Line) bool {
		line := data[l.Start:l.End]
		for _, m := range l.Matches {
			if !emit(newMatch(rel, l.Number, line, m[0], m[1])) {
				return false
			}
		}
		return true
	})
}

// newMatch builds a result from byte offsets into line (which may end in
// "\r"): column and length in UTF-16 code units.
func newMatch(rel string, lineNo int, line []byte, start, end int) Match {
	return Match{
		Path:        rel,
		Line:        lineNo,
		Column:      utf16Len(line[:start]) + 1,
		Length:      utf16Len(line[start:end]),
		LineSnippet: snippet(line),
	}
}

func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		b = b[size:]
	}
	return n
}

// snippet is the line without its line break, cut at maxSnippetBytes on a
// character boundary.
func snippet(line []byte) string {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if len(line) > maxSnippetBytes {
		cut := maxSnippetBytes
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		line = line[:cut]
	}
	return string(line)
}
