package process

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"
)

// chunk is 32 KiB of 80-byte log lines, a chatty dev server's output.
var chunk = bytes.Repeat([]byte("2026-01-02T03:04:05Z INFO request handled path=/api/v1/items status=200 ms=12\n"), 32<<10/80)

// BenchmarkRingWrite: splitting output into the in-memory tail.
func BenchmarkRingWrite(b *testing.B) {
	r := newRing()
	b.SetBytes(int64(len(chunk)))
	for b.Loop() {
		r.write(chunk)
	}
}

// BenchmarkReceive: what one output chunk costs a process: ring, log file
// (with rotation) and two log watches over every line.
func BenchmarkReceive(b *testing.B) {
	ws, err := CompileWatches([]Watch{{Pattern: `ERROR|panic`}, {Pattern: `listening on :(\d+)`, Stream: Stdout}})
	if err != nil {
		b.Fatal(err)
	}
	log, err := openLog(filepath.Join(b.TempDir(), "stdout.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer log.close()
	m := New(Options{SessionID: "s", OutputInterval: time.Hour})
	p := &managed{m: m, id: "p", stdout: &stream{name: Stdout, ring: newRing(), log: log}, wlist: ws}
	b.SetBytes(int64(len(chunk)))
	for b.Loop() {
		p.receive(p.stdout, chunk, false)
	}
	p.stopTimer()
}
