package session

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// listFixture writes n small sessions (a header and six messages each) in
// project "p" and returns the store options pointing at them.
func listFixture(b *testing.B, n int) Options {
	b.Helper()
	dir := b.TempDir()
	pd := filepath.Join(dir, "p")
	if err := os.MkdirAll(pd, 0o700); err != nil {
		b.Fatal(err)
	}
	st := NewStore(Options{SessionDir: dir, Sync: SyncNever})
	text := strings.Repeat("some words of a prompt ", 20)
	for i := range n {
		s, err := st.Create("p", "/work/p", CreateOptions{})
		if err != nil {
			b.Fatal(err)
		}
		var buf strings.Builder
		buf.Write(s.header.raw)
		buf.WriteByte('\n')
		parent := ""
		for j := range 6 {
			m := userMsg(fmt.Sprintf("%d %s", i, text), int64(1748779200000+j))
			if j%2 == 1 {
				m = assistantMsg(text, int64(1748779200000+j))
			}
			e := &Entry{Type: TypeMessage, ID: fmt.Sprintf("%08x", j), ParentID: parent, Timestamp: "2025-06-01T12:00:00.000Z", Message: &m}
			raw, _ := encodeEntry(e)
			buf.Write(raw)
			buf.WriteByte('\n')
			parent = e.ID
		}
		if err := os.WriteFile(s.Path(), []byte(buf.String()), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return Options{SessionDir: dir}
}

// BenchmarkList10k lists a project of 10,000 sessions: cold (a new store,
// every file read and summarised; the page cache is warm) and warm (the
// same store again: a directory read and a stat per file).
func BenchmarkList10k(b *testing.B) {
	opts := listFixture(b, 10_000)
	b.Run("cold", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			l, err := NewStore(opts).List("p")
			if err != nil || len(l) != 10_000 {
				b.Fatalf("%d %v", len(l), err)
			}
		}
	})
	b.Run("restart", func(b *testing.B) { // a new store over a saved list cache
		cached := opts
		cached.ListCacheFile = filepath.Join(b.TempDir(), "session-list.json")
		st := NewStore(cached)
		if _, err := st.List("p"); err != nil {
			b.Fatal(err)
		}
		if err := st.FlushListCache(); err != nil {
			b.Fatal(err)
		}
		defer reportCPU(b)()
		for b.Loop() {
			l, err := NewStore(cached).List("p")
			if err != nil || len(l) != 10_000 {
				b.Fatalf("%d %v", len(l), err)
			}
		}
	})
	b.Run("warm", func(b *testing.B) {
		st := NewStore(opts)
		if _, err := st.List("p"); err != nil {
			b.Fatal(err)
		}
		defer reportCPU(b)()
		for b.Loop() {
			l, err := st.List("p")
			if err != nil || len(l) != 10_000 {
				b.Fatalf("%d %v", len(l), err)
			}
		}
	})
}

// reportCPU reports the process CPU time (user+system) per operation:
// wall time on a shared 2-core machine says more about the neighbours than
// about this code. Call as defer reportCPU(b)() just before the loop.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resumeFixture writes one session of n messages (user, assistant with a
// tool call, tool result, about 1 KiB each) and returns its path.
func resumeFixture(b *testing.B, n int) (Options, string) {
	b.Helper()
	opts := Options{SessionDir: b.TempDir(), Sync: SyncNever}
	st := NewStore(opts)
	s, err := st.Create("p", "/work/p", CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("lorem ipsum dolor sit amet ", 36)
	for i := range n {
		var m ai.Message
		switch i % 3 {
		case 0:
			m = userMsg(text, int64(i))
		case 1:
			m = assistantMsg(text, int64(i))
			m.Content = append(m.Content, ai.Content{Type: ai.ContentToolCall, ID: fmt.Sprintf("call_%d", i), Name: "bash",
				Arguments: json.RawMessage(`{"command":"ls -la"}`)})
		default:
			m = ai.Message{Role: ai.RoleToolResult, ToolCallID: fmt.Sprintf("call_%d", i-1), ToolName: "bash",
				Content: []ai.Content{ai.TextContent(text)}, Timestamp: int64(i)}
		}
		if _, err := s.AppendMessage(m); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	return opts, s.Path()
}

// BenchmarkResume5k opens a 5,000-message session and builds its context.
func BenchmarkResume5k(b *testing.B) {
	opts, path := resumeFixture(b, 5_000)
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	defer reportCPU(b)()
	for b.Loop() {
		s, err := NewStore(opts).Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if c := s.BuildContext(); len(c.Messages) != 5_000 {
			b.Fatalf("%d messages", len(c.Messages))
		}
	}
}

// BenchmarkAppend measures one append (a ~1 KiB assistant message) under
// each sync policy.
func BenchmarkAppend(b *testing.B) {
	for _, p := range []struct {
		name   string
		policy SyncPolicy
	}{{"SyncTurn", SyncTurn}, {"SyncNever", SyncNever}} {
		b.Run(p.name, func(b *testing.B) {
			st := NewStore(Options{SessionDir: b.TempDir(), Sync: p.policy})
			s, err := st.Create("p", "/p", CreateOptions{})
			if err != nil {
				b.Fatal(err)
			}
			m := assistantMsg(strings.Repeat("x", 1000), 1)
			for b.Loop() {
				if _, err := s.AppendMessage(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
