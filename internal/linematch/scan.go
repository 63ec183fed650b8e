package linematch

import (
	"bytes"
	"encoding/binary"
	"regexp"
	"unicode/utf8"
)

// finder locates matches. next returns the offset of the first possible
// match at or after the start of text (-1: none); line returns every
// match in one line (without its "\n").
type finder interface {
	next(text []byte) int
	line(text []byte) [][]int
}

// literalFinder is a case-sensitive fixed string.
type literalFinder []byte

func (f literalFinder) next(text []byte) int { return bytes.Index(text, f) }

func (f literalFinder) line(text []byte) [][]int {
	var out [][]int
	for off := 0; ; {
		i := bytes.Index(text[off:], f)
		if i < 0 {
			return out
		}
		out = append(out, []int{off + i, off + i + len(f)})
		off += i + len(f)
	}
}

// regexFinder is a regular expression. Lines that can match are found
// with lit (a literal every match contains) when set, else with pre (the
// expression in multi-line mode) when set, else every line is tried.
type regexFinder struct {
	re, pre *regexp.Regexp
	lit     []byte
}

func (r *regexFinder) line(text []byte) [][]int { return r.re.FindAllIndex(text, -1) }

func (r *regexFinder) next(text []byte) int {
	if r.lit != nil {
		return bytes.Index(text, r.lit)
	}
	if r.pre == nil {
		if len(text) == 0 {
			return -1
		}
		return 0
	}
	loc := r.pre.FindIndex(text)
	if loc == nil {
		return -1
	}
	return loc[0]
}

// Line is one line holding matches: text[Start:End] (without its "\n"),
// numbered from the first line the scan was given, and the matches'
// offsets within it.
type Line struct {
	Number     int
	Start, End int
	Matches    [][]int
}

// Scanner scans texts for one goroutine, reusing its lowering buffer.
type Scanner struct {
	m   *Matcher
	low []byte
}

// Scanner returns a scanner of its own for one goroutine.
func (m *Matcher) Scanner() *Scanner { return &Scanner{m: m} }

// Scan calls fn, in order, for every line of text that holds a match;
// the first line is number first. It stops when fn returns false. A text
// ending in "\n" has no empty line after it.
func (s *Scanner) Scan(text []byte, first int, fn func(Line) bool) {
	hay, f := s.hay(text)
	lineNo, pos := first, 0
	for pos < len(hay) {
		i := f.next(hay[pos:])
		if i < 0 {
			return
		}
		// Jump to the start of the line holding the candidate.
		start := pos + i
		if nl := bytes.LastIndexByte(hay[pos:start], '\n'); nl >= 0 {
			lineNo += bytes.Count(hay[pos:pos+nl+1], []byte{'\n'})
			pos += nl + 1
		}
		end := len(hay)
		if nl := bytes.IndexByte(hay[pos:], '\n'); nl >= 0 {
			end = pos + nl
		}
		if ms := f.line(hay[pos:end]); len(ms) > 0 {
			if !fn(Line{Number: lineNo, Start: pos, End: end, Matches: ms}) {
				return
			}
		}
		pos, lineNo = end+1, lineNo+1
	}
}

// hay picks the text to search and the finder for it. For a
// case-insensitive search with an ASCII literal, ASCII-only text is
// lowered once so bytes.Index can find candidates (a case-insensitive
// regexp matches lowered ASCII text exactly where it matches the
// original); text with other bytes goes to the regexp, whose Unicode case
// folding (k and the Kelvin sign, ...) an ASCII lowering would miss.
func (s *Scanner) hay(text []byte) ([]byte, finder) {
	if !s.m.lower {
		return text, s.m.find
	}
	if cap(s.low) < len(text) {
		s.low = make([]byte, len(text))
	}
	low := s.low[:len(text)]
	if !lowerASCII(low, text) {
		return text, s.m.regex
	}
	return low, s.m.find
}

// lowerASCII writes src lowered into dst and reports whether src was all
// ASCII (dst is then complete). Eight bytes at a time: this runs over
// every byte of a case-insensitive search.
func lowerASCII(dst, src []byte) bool {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(src); i += 8 {
		w := binary.LittleEndian.Uint64(src[i:])
		if w&high != 0 {
			return false
		}
		// High bit of each byte: >= 'A', then > 'Z'; upper = the difference.
		geA := (w + (0x80-'A')*ones) & high
		gtZ := (w + (0x80-'Z'-1)*ones) & high
		binary.LittleEndian.PutUint64(dst[i:], w|(geA&^gtZ)>>2)
	}
	for ; i < len(src); i++ {
		c := src[i]
		if c >= utf8.RuneSelf {
			return false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst[i] = c
	}
	return true
}
