package tools

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// utf8Reader decodes a byte stream into valid UTF-8 as Node does (see
// decodeUTF8), holding back a sequence cut at a read boundary until the
// next read completes it.
type utf8Reader struct {
	r     io.Reader
	carry []byte
	out   []byte
	buf   []byte
	eof   bool
}

func newUTF8Reader(r io.Reader) *utf8Reader {
	return &utf8Reader{r: r, buf: make([]byte, 64*1024)}
}

func (u *utf8Reader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.eof {
			if len(u.carry) > 0 {
				u.out = []byte(decodeUTF8(u.carry))
				u.carry = nil
				continue
			}
			return 0, io.EOF
		}
		n, err := u.r.Read(u.buf)
		chunk := u.buf[:n]
		if len(u.carry) > 0 {
			chunk = append(u.carry, chunk...)
			u.carry = nil
		}
		if errors.Is(err, io.EOF) {
			u.eof = true
		} else if err != nil {
			return 0, err
		}
		cut := incompleteTail(chunk)
		if cut < len(chunk) {
			u.carry = append([]byte(nil), chunk[cut:]...)
		}
		if utf8.Valid(chunk[:cut]) {
			u.out = chunk[:cut] // aliases u.buf, which is not read into again until out is drained
		} else {
			u.out = []byte(decodeUTF8(chunk[:cut]))
		}
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

// incompleteTail returns where a trailing, still-completable UTF-8
// sequence starts in b (len(b) when there is none).
func incompleteTail(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-3; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}

// scanLines splits a stream on '\n' like JavaScript's split("\n") (so a
// trailing newline yields a final empty line) and returns the number of
// lines. For each line, visit gets the line's decoded length and, when want
// said so before the line began, its content capped at keepCap bytes.
func scanLines(ctx context.Context, r io.Reader, want func(i int) bool, visit func(i int, line []byte, length int)) (int, error) {
	const keepCap = DefaultMaxBytes + 1
	br := bufio.NewReaderSize(newUTF8Reader(r), 64*1024)
	var cur []byte
	i, length, keep := 0, 0, want(0)
	for chunks := 0; ; chunks++ {
		if chunks%256 == 0 && ctx.Err() != nil {
			return 0, errAborted
		}
		piece, err := br.ReadSlice('\n')
		complete := len(piece) > 0 && piece[len(piece)-1] == '\n'
		if complete {
			piece = piece[:len(piece)-1]
		}
		length += len(piece)
		if keep && len(cur) < keepCap {
			cur = append(cur, piece[:min(len(piece), keepCap-len(cur))]...)
		}
		if complete {
			visit(i, cur, length)
			i++
			cur, length, keep = cur[:0], 0, want(i)
			continue
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			visit(i, cur, length)
			return i + 1, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// selection is the part of a file read returns, built line by line with
// the bookkeeping TruncateHead would do on the joined text.
type selection struct {
	maxLines, maxBytes int
	count, bytes       int // selected lines and their bytes with separators
	kept               []string
	keptBytes          int
	stopped            bool
	firstLen           int
}

func newSelection(maxLines, maxBytes int) *selection {
	return &selection{maxLines: maxLines, maxBytes: maxBytes}
}

func (s *selection) wantContent() bool { return !s.stopped && len(s.kept) < s.maxLines }

func (s *selection) add(line []byte, length int) {
	size := length
	if s.count == 0 {
		s.firstLen = length
	} else {
		size++
	}
	s.count++
	s.bytes += size
	if s.stopped {
		return
	}
	if len(s.kept) < s.maxLines && s.keptBytes+size <= s.maxBytes {
		s.kept = append(s.kept, string(line))
		s.keptBytes += size
		return
	}
	s.stopped = true
}

// truncation is TruncateHead's result for the selected lines.
func (s *selection) truncation() Truncation {
	count := max(s.count, 1) // an empty selection is one empty line
	t := Truncation{TotalLines: count, TotalBytes: s.bytes, MaxLines: s.maxLines, MaxBytes: s.maxBytes}
	content := strings.Join(s.kept, "\n")
	if count <= s.maxLines && s.bytes <= s.maxBytes {
		t.Content, t.OutputLines, t.OutputBytes = content, count, len(content)
		return t
	}
	t.Truncated = true
	if s.firstLen > s.maxBytes {
		t.TruncatedBy, t.FirstLineExceedsLimit = by("bytes"), true
		return t
	}
	t.TruncatedBy = by("bytes")
	if len(s.kept) >= s.maxLines && s.keptBytes <= s.maxBytes {
		t.TruncatedBy = by("lines")
	}
	t.Content, t.OutputLines, t.OutputBytes = content, len(s.kept), len(content)
	return t
}
