// Package logging builds the server's JSON logger and the buffered writer
// under it, so request logs cost little even at tens of thousands of
// requests per second.
package logging

import (
	"bufio"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// New returns a JSON logger at level (the reference's pino names: trace,
// debug, info, warn, error, fatal, silent).
func New(w io.Writer, level string) *slog.Logger {
	var lvl slog.Level
	switch strings.ToLower(level) {
	case "trace", "debug":
		lvl = slog.LevelDebug
	case "warn":
		lvl = slog.LevelWarn
	case "error", "fatal":
		lvl = slog.LevelError
	case "silent":
		return slog.New(slog.DiscardHandler)
	default:
		lvl = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lvl}))
}

// Writer buffers log lines and flushes them every flushEvery and on Close.
// One write syscall per request would dominate a fast handler; a log line
// reaching the terminal a fraction of a second later costs nothing.
type Writer struct {
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

const flushEvery = 100 * time.Millisecond

// NewWriter starts a buffered writer over w.
func NewWriter(w io.Writer) *Writer {
	bw := &Writer{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go bw.flushLoop()
	return bw
}

func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *Writer) flushLoop() {
	defer close(w.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			w.Flush()
		case <-w.stop:
			return
		}
	}
}

// Flush writes out what is buffered.
func (w *Writer) Flush() {
	w.mu.Lock()
	_ = w.buf.Flush()
	w.mu.Unlock()
}

// Close stops the flusher and flushes the rest.
func (w *Writer) Close() error {
	close(w.stop)
	<-w.done
	w.Flush()
	return nil
}
