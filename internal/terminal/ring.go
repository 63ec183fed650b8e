package terminal

import (
	"bytes"
	"unicode/utf8"
)

// ring keeps the most recent output of a terminal, up to max bytes, for
// replay to whoever attaches next. It grows on demand, so a quiet terminal
// holds only what it printed, and becomes a fixed circular buffer once it
// is full. It is not safe for concurrent use (the session's mutex guards it).
type ring struct {
	max     int
	buf     []byte // len(buf) == max once full; before that, buf is linear from 0
	start   int    // oldest byte when full
	full    bool
	dropped bool // some output has been evicted
}

func newRing(max int) *ring { return &ring{max: max} }

// Len is how many bytes the ring holds.
func (r *ring) Len() int { return len(r.buf) }

// Write appends p, evicting the oldest bytes beyond max.
func (r *ring) Write(p []byte) {
	if len(p) >= r.max {
		r.reset(p[len(p)-r.max:])
		r.dropped = true
		return
	}
	if !r.full {
		if len(r.buf)+len(p) <= r.max {
			r.buf = grow(r.buf, len(p), r.max)
			r.buf = append(r.buf, p...)
			r.full = len(r.buf) == r.max
			return
		}
		// Switch to the circular layout: a max-sized buffer whose oldest
		// byte sits at start.
		circ := make([]byte, r.max)
		copy(circ, r.buf)
		r.start = len(r.buf) // the write position; fill up from there
		r.buf, r.full = circ, true
		n := copy(r.buf[r.start:], p)
		p = p[n:]
		r.start = (r.start + n) % r.max
		if len(p) == 0 {
			return
		}
	}
	r.dropped = true
	// Full: overwrite from start (the oldest byte), wrapping once at most.
	n := copy(r.buf[r.start:], p)
	copy(r.buf, p[n:])
	r.start = (r.start + len(p)) % r.max
}

// grow makes room for n more bytes without exceeding limit, doubling to
// keep appends amortised.
func grow(b []byte, n, limit int) []byte {
	need := len(b) + n
	if need <= cap(b) {
		return b
	}
	c := max(2*cap(b), need, 4096)
	c = min(c, limit)
	nb := make([]byte, len(b), c)
	copy(nb, b)
	return nb
}

func (r *ring) reset(p []byte) {
	r.buf = append(r.buf[:0], p...)
	if cap(r.buf) > r.max {
		r.buf = r.buf[:r.max:r.max]
	}
	r.start = 0
	r.full = len(r.buf) == r.max
}

// Snapshot returns a copy of the retained output, oldest first. When
// output has been evicted, the copy starts at a clean boundary (after the
// first newline in its first 4 KiB, else at the first UTF-8 character
// start), so a replay does not begin inside a line's escape sequence or
// in the middle of a multi-byte character.
func (r *ring) Snapshot() []byte {
	out := make([]byte, 0, len(r.buf))
	if r.full {
		out = append(out, r.buf[r.start:]...)
		out = append(out, r.buf[:r.start]...)
	} else {
		out = append(out, r.buf...)
	}
	if !r.dropped {
		return out
	}
	head := out[:min(len(out), 4096)]
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		return out[i+1:]
	}
	for i := 0; i < len(out) && i < utf8.UTFMax; i++ {
		if utf8.RuneStart(out[i]) {
			return out[i:]
		}
	}
	return out
}
