package terminal

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/creack/pty"
)

// writeTextFile writes size bytes of 100-byte lines (lowercase letters and
// a newline), like a log or source dump.
func writeTextFile(b *testing.B, path string, size int) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	line := make([]byte, 100)
	for i := range line {
		line[i] = 'a' + byte(i%26)
	}
	line[99] = '\n'
	for n := 0; n < size; n += len(line) {
		line[0] = 'a' + byte(n/100%26) // vary the lines a little
		if _, err := w.Write(line[:min(len(line), size-n)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// benchConn dials the harness with a raw websocket client (no output
// accumulation) and waits for the first prompt output.
func benchConn(b *testing.B, h *harness, tab string) *websocket.Conn {
	b.Helper()
	conn, _, err := websocket.Dial(context.Background(), h.url("p1", tab), nil)
	if err != nil {
		b.Fatal(err)
	}
	conn.SetReadLimit(-1)
	b.Cleanup(func() { _ = conn.CloseNow() })
	sendInput(b, conn, "PS1='$ '; echo ready-$((1+1))\n")
	readUntil(b, conn, []byte("ready-2"))
	return conn
}

func sendInput(b *testing.B, conn *websocket.Conn, s string) {
	msg, _ := json.Marshal(map[string]string{"type": "input", "data": s})
	if err := conn.Write(context.Background(), websocket.MessageText, msg); err != nil {
		b.Fatal(err)
	}
}

// readUntil reads output frames until marker has been seen, returning the
// number of output bytes and frames read.
func readUntil(b *testing.B, conn *websocket.Conn, marker []byte) (n int64, frames int) {
	b.Helper()
	buf := make([]byte, 64<<10)
	var tail []byte
	for {
		_, r, err := conn.Reader(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		frames++
		for {
			k, err := r.Read(buf)
			n += int64(k)
			if k > 0 {
				window := append(tail, buf[:k]...)
				if bytes.Contains(window, marker) {
					if _, err := io.Copy(io.Discard, r); err != nil {
						b.Fatal(err)
					}
					return n, frames
				}
				tail = append(tail[:0], window[max(0, len(window)-len(marker)):]...)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCatThroughput: `cat` of a 200 MB text file through PTY →
// WebSocket → client, next to the same cat on a bare PTY read in a loop
// (the kernel's ceiling on this machine). MB/s counts file bytes (the
// terminal adds a CR per line on the way).
func BenchmarkCatThroughput(b *testing.B) {
	const size = 200 << 20
	h := newHarness(b, harnessOpts{})
	file := filepath.Join(h.dirs["p1"], "big.txt")
	writeTextFile(b, file, size)
	b.Run("bare-pty", func(b *testing.B) {
		b.SetBytes(size)
		for range b.N {
			cmd := exec.Command("cat", file)
			f, err := pty.Start(cmd)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, f); err != nil && !errors.Is(err, syscall.EIO) {
				b.Fatal(err)
			}
			f.Close()
			_ = cmd.Wait()
		}
	})
	b.Run("websocket", func(b *testing.B) {
		conn := benchConn(b, h, "cat")
		b.SetBytes(size)
		b.ResetTimer()
		var frames int
		var out int64
		for range b.N {
			sendInput(b, conn, "cat big.txt; echo END-$((6*7))-MARK\n")
			n, f := readUntil(b, conn, []byte("END-42-MARK"))
			out += n
			frames += f
		}
		b.StopTimer()
		b.ReportMetric(float64(out)/float64(frames)/1024, "KiB/frame")
	})
}

// BenchmarkKeystrokeRoundTrip: one input frame with one key → the
// shell's echo back as an output frame (bash's line editor), alternating a
// letter and a backspace so the line stays short.
func BenchmarkKeystrokeRoundTrip(b *testing.B) {
	h := newHarness(b, harnessOpts{})
	conn := benchConn(b, h, "keys")
	keys := []string{"x", "\x7f"}
	b.ResetTimer()
	for i := range b.N {
		sendInput(b, conn, keys[i%2])
		if _, _, err := conn.Read(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdleTerminalMemory opens 100 idle, attached terminals and
// reports the Go memory (heap + goroutine stacks) they add per terminal,
// server and test client together; bench/terminal.sh measures the real
// server's RSS.
func BenchmarkIdleTerminalMemory(b *testing.B) {
	const n = 100
	for range b.N {
		h := newHarness(b, harnessOpts{})
		before := goMemory()
		conns := make([]*websocket.Conn, n)
		for i := range conns {
			conns[i] = benchConn(b, h, "idle-"+strconv.Itoa(i))
		}
		time.Sleep(200 * time.Millisecond) // let shells settle; nothing to await
		after := goMemory()
		b.ReportMetric(float64(after-before)/n/1024, "KiB/terminal")
		if h.m.Active() != n {
			b.Fatalf("%d terminals", h.m.Active())
		}
	}
}

func goMemory() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse
}
