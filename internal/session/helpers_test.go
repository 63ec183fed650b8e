package session

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// stepClock is a clock that advances 1 ms every time it is read, so entries
// get distinct, reproducible timestamps.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// testStore returns a store in a temp dir with a reproducible clock and ids.
func testStore(t testing.TB) *Store {
	t.Helper()
	dir := t.TempDir()
	clock := &stepClock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	return NewStore(Options{
		SessionDir: filepath.Join(dir, "sessions"),
		DataDir:    filepath.Join(dir, "data"),
		Now:        clock.Now,
		Rand:       rand.NewChaCha8([32]byte{1, 2, 3}),
	})
}

func userMsg(text string, ts int64) ai.Message {
	return ai.Message{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent(text)}, Timestamp: ts}
}

func assistantMsg(text string, ts int64) ai.Message {
	return ai.Message{Role: ai.RoleAssistant, Content: []ai.Content{ai.TextContent(text)}, API: ai.APIAnthropicMessages,
		Provider: "anthropic", Model: "claude-sonnet-4-5", StopReason: ai.StopReasonStop, Timestamp: ts,
		Usage: ai.Usage{Input: 10, Output: 5, TotalTokens: 15}}
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
