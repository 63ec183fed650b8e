package registry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeSessions writes n sessions of msgs messages into the project's
// session dir.
func writeSessions(b *testing.B, h *harness, n, msgs int) {
	dir, err := h.store.ProjectDir(h.project.ID)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	text := strings.Repeat("Some realistic message text about the code base. ", 4)
	for i := range n {
		id := fmt.Sprintf("0190a000-0000-7000-8000-%012d", i)
		var sb strings.Builder
		fmt.Fprintf(&sb, `{"type":"session","version":3,"id":%q,"timestamp":"2026-01-01T00:00:00.000Z","cwd":"/w"}`+"\n", id)
		parent := "null"
		for j := range msgs {
			role := "user"
			if j%2 == 1 {
				role = "assistant"
			}
			fmt.Fprintf(&sb, `{"type":"message","id":"%08x","parentId":%s,"timestamp":"2026-01-01T00:00:00.000Z","message":{"role":%q,"content":[{"type":"text","text":%q}],"timestamp":%d}}`+"\n",
				j+1, parent, role, text, base.UnixMilli()+int64(i*1000+j))
			parent = fmt.Sprintf(`"%08x"`, j+1)
		}
		name := fmt.Sprintf("2026-01-01T00-00-%05d_%s.jsonl", i, id)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(sb.String()), 0o600); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkList10k is the registry's part of GET /sessions over 10,000
// session files (warm: the store's summaries are cached).
func BenchmarkList10k(b *testing.B) {
	h := newHarness(b)
	writeSessions(b, h, 10000, 8)
	r := h.registry()
	if _, err := r.List(h.project.ID); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		items, err := r.List(h.project.ID)
		if err != nil || len(items) != 10000 {
			b.Fatalf("%d items: %v", len(items), err)
		}
	}
}

// BenchmarkResume5k resumes a 5,000-message session and takes the first
// stream snapshot.
func BenchmarkResume5k(b *testing.B) {
	h := newHarness(b)
	writeSessions(b, h, 1, 5000)
	id := "0190a000-0000-7000-8000-000000000000"
	for b.Loop() {
		r := h.registry()
		s, err := r.Resume(context.Background(), id)
		if err != nil {
			b.Fatal(err)
		}
		sub, _, first := s.Subscribe("", false)
		if first == nil || len(first.Data) < 1<<20 {
			b.Fatal("no snapshot")
		}
		sub.Close()
		r.Shutdown(context.Background())
	}
}
