package ai

import (
	"bytes"
	"encoding/json"
)

// ToolArgs accumulates the streamed JSON text of one tool call's arguments
// and yields a best-effort JSON object after every delta, so a partial
// message always carries arguments a UI can render.
//
// Written by hand rather than taken from a JSON-repair library (such as
// kaptinlin/jsonrepair): those repair a whole document per call with
// heuristics that rewrite model output (quotes, comments, Python literals),
// while streaming needs only "close this truncated prefix". The scanner here
// keeps its state between deltas, so each delta costs O(len(delta)) to scan
// plus one copy of the prefix for the snapshot.
type ToolArgs struct {
	raw []byte
	sc  argScanner
}

// Append adds the next fragment of the arguments text.
func (a *ToolArgs) Append(delta string) {
	start := len(a.raw)
	a.raw = append(a.raw, delta...)
	a.sc.scan(a.raw, start)
}

// Raw returns the text received so far.
func (a *ToolArgs) Raw() string { return string(a.raw) }

// Partial returns the longest valid JSON object the text so far implies:
// complete members, a string value cut where the text stops, and the open
// containers closed. It returns "{}" when nothing usable has arrived. The
// result is a fresh slice that later deltas never modify.
func (a *ToolArgs) Partial() json.RawMessage {
	return a.sc.snapshot(a.raw)
}

// Final returns the arguments once the stream has ended: the complete text,
// compacted, when it is a valid object; otherwise the text with raw control
// characters and bad escapes repaired; otherwise the Partial prefix.
func (a *ToolArgs) Final() json.RawMessage {
	return ParseArguments(a.raw)
}

// ParseArguments turns a complete (or truncated) tool-call arguments text
// into a JSON object, repairing what models commonly get wrong. It never
// fails: the fallback is "{}".
func ParseArguments(text []byte) json.RawMessage {
	if isObject(text) && json.Valid(text) {
		return compact(text)
	}
	if fixed := repairStrings(text); isObject(fixed) && json.Valid(fixed) {
		return compact(fixed)
	}
	var sc argScanner
	sc.scan(text, 0)
	return sc.snapshot(text)
}

func isObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

func compact(b []byte) json.RawMessage {
	var out bytes.Buffer
	out.Grow(len(b))
	if err := json.Compact(&out, b); err != nil {
		return json.RawMessage("{}")
	}
	return out.Bytes()
}

// Scanner states for the value position inside a container.
const (
	wantValue    = iota // after '[', ',' in an array, or ':' in an object
	wantKey             // after '{' or ',' in an object
	wantColon           // after a key
	wantCommaEnd        // after a complete value
)

// argScanner is an incremental JSON tokenizer that remembers the last point
// where the text can be cut and closed into a valid document.
type argScanner struct {
	stack  []byte // open containers, '{' or '['
	state  int
	fresh  bool // the innermost container has no member yet
	broken bool // unexpected input: snapshots stay at the last safe cut
	done   bool // the top-level object closed; the rest is ignored
	repair bool // raw control characters or bad escapes seen in a string

	safeEnd int // text[:safeEnd] followed by the closers of stack is valid

	inString bool
	isKey    bool
	strStart int // index of the opening quote
	escape   int // 0 none; 1 after '\'; 2..5 inside \uXXXX (digits seen + 1)
	escStart int // index of the backslash of the escape in progress

	tokStart int // start of a number or literal in progress, -1 when none
	begun    bool
}

func (s *argScanner) scan(text []byte, from int) {
	if !s.begun {
		s.begun = true
		s.tokStart = -1
	}
	for i := from; i < len(text) && !s.broken && !s.done; i++ {
		s.step(text, i)
	}
}

func (s *argScanner) step(text []byte, i int) {
	c := text[i]
	if s.inString {
		s.stringByte(c, i)
		return
	}
	if s.tokStart >= 0 {
		if isTokenByte(c) {
			return
		}
		s.endToken(text, i)
		if s.broken {
			return
		}
	}
	if len(s.stack) == 0 {
		s.topLevel(c, i)
		return
	}
	switch c {
	case ' ', '\t', '\r', '\n':
	case '{', '[':
		if !s.acceptValueStart() {
			return
		}
		s.stack = append(s.stack, c)
		s.fresh = true
		s.state = wantValue
		if c == '{' {
			s.state = wantKey
		}
		s.safeEnd = i + 1
	case '}', ']':
		s.closeContainer(c, i)
	case ':':
		if s.top() != '{' || s.state != wantColon {
			s.broken = true
			return
		}
		s.state = wantValue
	case ',':
		if len(s.stack) == 0 || s.state != wantCommaEnd {
			s.broken = true
			return
		}
		s.state = wantValue
		if s.top() == '{' {
			s.state = wantKey
		}
	case '"':
		if s.top() == '{' && s.state == wantKey {
			s.isKey = true
			s.fresh = false
		} else if !s.acceptValueStart() {
			return
		} else {
			s.isKey = false
		}
		s.inString = true
		s.strStart = i
	default:
		if !isTokenByte(c) || !s.acceptValueStart() {
			s.broken = true
			return
		}
		s.tokStart = i
	}
}

// topLevel accepts only whitespace and the opening brace: tool arguments
// are always an object.
func (s *argScanner) topLevel(c byte, i int) {
	switch c {
	case ' ', '\t', '\r', '\n':
	case '{':
		s.stack = append(s.stack, c)
		s.state = wantKey
		s.fresh = true
		s.safeEnd = i + 1
	default:
		s.broken = true
	}
}

// acceptValueStart checks that a value may begin here.
func (s *argScanner) acceptValueStart() bool {
	if s.state != wantValue {
		s.broken = true
		return false
	}
	s.fresh = false
	return true
}

func (s *argScanner) top() byte {
	if len(s.stack) == 0 {
		return 0
	}
	return s.stack[len(s.stack)-1]
}

func (s *argScanner) closeContainer(c byte, i int) {
	open := byte('{')
	if c == ']' {
		open = '['
	}
	if s.top() != open || !(s.state == wantCommaEnd || s.fresh) {
		s.broken = true
		return
	}
	s.fresh = false
	s.stack = s.stack[:len(s.stack)-1]
	s.valueDone(i + 1)
}

func (s *argScanner) valueDone(end int) {
	s.safeEnd = end
	s.state = wantCommaEnd
	if len(s.stack) == 0 {
		s.done = true
	}
}

func (s *argScanner) stringByte(c byte, i int) {
	switch {
	case s.escape == 1:
		switch c {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			s.escape = 0
		case 'u':
			s.escape = 2
		default:
			s.repair = true
			s.escape = 0
		}
	case s.escape >= 2:
		if !isHex(c) {
			s.repair = true
			s.escape = 0
			s.stringByte(c, i)
			return
		}
		s.escape++
		if s.escape == 6 {
			s.escape = 0
		}
	case c == '\\':
		s.escape = 1
		s.escStart = i
	case c == '"':
		s.inString = false
		if s.isKey {
			s.state = wantColon
			return
		}
		s.valueDone(i + 1)
	case c < 0x20:
		s.repair = true
	}
}

func (s *argScanner) endToken(text []byte, end int) {
	tok := text[s.tokStart:end]
	s.tokStart = -1
	if !validScalar(tok) {
		s.broken = true
		return
	}
	s.valueDone(end)
}

// snapshot writes the cut text plus closers into a new slice.
func (s *argScanner) snapshot(text []byte) json.RawMessage {
	if len(s.stack) == 0 && !s.done {
		return json.RawMessage("{}")
	}
	cut := s.safeEnd
	var tail []byte
	if !s.broken && !s.done {
		switch {
		case s.inString && !s.isKey:
			cut = len(text)
			if s.escape > 0 {
				cut = s.escStart
			}
			tail = append(tail, '"')
		case s.tokStart >= 0 && validScalar(text[s.tokStart:]):
			cut = len(text)
		}
	}
	out := make([]byte, 0, cut+len(tail)+len(s.stack))
	out = append(out, text[:cut]...)
	out = append(out, tail...)
	if !s.done {
		for i := len(s.stack) - 1; i >= 0; i-- {
			if s.stack[i] == '{' {
				out = append(out, '}')
			} else {
				out = append(out, ']')
			}
		}
	}
	if s.repair {
		out = repairStrings(out)
	}
	if !json.Valid(out) {
		return json.RawMessage("{}")
	}
	return out
}

func isTokenByte(c byte) bool {
	return c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// validScalar reports whether tok is a complete JSON number or literal.
func validScalar(tok []byte) bool {
	switch string(tok) {
	case "true", "false", "null":
		return true
	}
	i := 0
	if i < len(tok) && tok[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
			i++
			n++
		}
		return n
	}
	start := i
	if n := digits(); n == 0 || (n > 1 && tok[start] == '0') {
		return false
	}
	if i < len(tok) && tok[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(tok) && (tok[i] == 'e' || tok[i] == 'E') {
		i++
		if i < len(tok) && (tok[i] == '+' || tok[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(tok)
}

// repairStrings escapes raw control characters inside strings and doubles
// backslashes that start an invalid escape, the two mistakes models make
// most when writing JSON by hand.
func repairStrings(text []byte) []byte {
	out := make([]byte, 0, len(text)+8)
	inString := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !inString {
			out = append(out, c)
			inString = c == '"'
			continue
		}
		switch {
		case c == '"':
			out = append(out, c)
			inString = false
		case c == '\\':
			n := i + 1
			switch {
			case n >= len(text):
				out = append(out, '\\', '\\')
			case text[n] == 'u' && n+4 < len(text) && isHex(text[n+1]) && isHex(text[n+2]) && isHex(text[n+3]) && isHex(text[n+4]):
				out = append(out, text[i:n+5]...)
				i = n + 4
			case bytes.IndexByte([]byte(`"\/bfnrt`), text[n]) >= 0:
				out = append(out, c, text[n])
				i = n
			default:
				out = append(out, '\\', '\\')
			}
		case c < 0x20:
			out = appendControlEscape(out, c)
		default:
			out = append(out, c)
		}
	}
	return out
}

func appendControlEscape(out []byte, c byte) []byte {
	switch c {
	case '\b':
		return append(out, '\\', 'b')
	case '\f':
		return append(out, '\\', 'f')
	case '\n':
		return append(out, '\\', 'n')
	case '\r':
		return append(out, '\\', 'r')
	case '\t':
		return append(out, '\\', 't')
	}
	const hex = "0123456789abcdef"
	return append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
}
