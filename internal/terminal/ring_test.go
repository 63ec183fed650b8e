package terminal

import (
	"bytes"
	"strconv"
	"testing"
)

func TestRingKeepsTheNewestBytes(t *testing.T) {
	const limit = 64
	var all []byte
	r := newRing(limit)
	// Writes of every size around the capacity, checked against a plain
	// slice holding everything.
	for i, n := range []int{1, 10, 30, 23, 1, 63, 64, 65, 5, 128, 0, 7, 64, 3} {
		p := bytes.Repeat([]byte{byte('a' + i)}, n)
		for j := range p {
			p[j] += byte(j % 3) // not uniform, so misplaced bytes show
		}
		r.Write(p)
		all = append(all, p...)
		want := all[max(0, len(all)-limit):]
		got := r.rawSnapshot()
		if !bytes.Equal(got, want) {
			t.Fatalf("after write %d (%d bytes): got %q, want %q", i, n, got, want)
		}
		if r.Len() > limit {
			t.Fatalf("ring holds %d bytes, max %d", r.Len(), limit)
		}
	}
}

func TestRingGrowsLazily(t *testing.T) {
	r := newRing(256 << 10)
	r.Write([]byte("$ "))
	if c := cap(r.buf); c > 8192 {
		t.Fatalf("a two-byte prompt allocated %d bytes", c)
	}
	if got := string(r.Snapshot()); got != "$ " {
		t.Fatalf("snapshot %q", got)
	}
}

func TestRingSnapshotStartsAtALineAfterEviction(t *testing.T) {
	r := newRing(100)
	for i := range 50 {
		r.Write([]byte("line " + strconv.Itoa(i) + "\r\n"))
	}
	got := r.Snapshot()
	if !bytes.HasPrefix(got, []byte("line ")) || !bytes.HasSuffix(got, []byte("line 49\r\n")) {
		t.Fatalf("snapshot %q", got)
	}
	// No newline at all: start at a character boundary instead.
	r = newRing(10)
	r.Write([]byte("ééééééééé")) // 18 bytes of 2-byte characters
	r.Write([]byte("x"))         // the retained part now starts mid-character
	got = r.Snapshot()
	if string(got) != "éééé"+"x" {
		t.Fatalf("snapshot %q", got)
	}
}

// rawSnapshot is the retained bytes without boundary trimming.
func (r *ring) rawSnapshot() []byte {
	d := r.dropped
	r.dropped = false
	defer func() { r.dropped = d }()
	return r.Snapshot()
}
