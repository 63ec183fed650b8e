package registry

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai/aitest"
)

// TestTurnDiff: the last run's writes and edits, one entry per file: edits
// keep the tool's diff, a written file falls back to git and then to a
// pure addition; an earlier run does not count.
func TestTurnDiff(t *testing.T) {
	h := newHarness(t,
		aitest.Response{Blocks: []aitest.Block{aitest.ToolCall("w0", "write", `{"path":"old.txt","content":"old\n"}`)}},
		aitest.Text("wrote old"),
		aitest.Response{Blocks: []aitest.Block{
			aitest.ToolCall("e1", "edit", `{"path":"a.txt","edits":[{"oldText":"one","newText":"uno"}]}`),
			aitest.ToolCall("w1", "write", `{"path":"new/b.txt","content":"b1\nb2\n"}`),
			aitest.ToolCall("w2", "write", `{"path":"tracked.txt","content":"changed\n"}`),
		}},
		aitest.Response{Blocks: []aitest.Block{aitest.ToolCall("e2", "edit", `{"path":"a.txt","edits":[{"oldText":"three","newText":"tres"}]}`),
			aitest.ToolCall("e3", "edit", `{"path":"missing.txt","edits":[{"oldText":"x","newText":"y"}]}`)}},
		aitest.Text("done"),
	)
	if err := os.WriteFile(filepath.Join(h.project.Path, "a.txt"), []byte("one\ntwo\nthree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitCalls := map[string]bool{}
	r := h.registry(func(o *Options) {
		o.GitDiff = func(_ context.Context, dir, path string) (string, error) {
			gitCalls[path] = true
			if filepath.Base(path) == "tracked.txt" {
				return "diff --git a/tracked.txt b/tracked.txt\n--- a/tracked.txt\n+++ b/tracked.txt\n@@ -1 +1 @@\n-before\n+changed\n", nil
			}
			return "", nil
		}
	})
	s, _ := r.Create(context.Background(), h.project.ID)
	for _, p := range []string{"write old", "change things"} {
		if _, err := s.Prompt(context.Background(), PromptInput{Text: p}); err != nil {
			t.Fatal(err)
		}
		waitIdle(t, s)
	}
	got := s.TurnDiff(context.Background())
	if len(got) != 3 {
		t.Fatalf("entries %+v", got)
	}
	a, b, tracked := got[0], got[1], got[2]
	if a.File != "a.txt" || a.Tool != "edit" || a.IsPureAddition || a.Additions != 2 || a.Deletions != 2 ||
		!strings.Contains(a.Diff, "+1 uno") || !strings.Contains(a.Diff, "+3 tres") {
		t.Errorf("a.txt %+v", a)
	}
	if b.File != "new/b.txt" || b.Tool != "write" || !b.IsPureAddition || b.Additions != 2 || b.Deletions != 0 ||
		!strings.Contains(b.Diff, "+++ b/new/b.txt\n@@ -0,0 +1,2 @@\n+b1\n+b2\n") {
		t.Errorf("b.txt %+v", b)
	}
	if tracked.File != "tracked.txt" || tracked.IsPureAddition || tracked.Additions != 1 || tracked.Deletions != 1 {
		t.Errorf("tracked.txt %+v", tracked)
	}
	if gitCalls[filepath.Join(h.project.Path, "a.txt")] {
		t.Error("asked git about a file with tool diffs")
	}
}

func TestAdditionDiffWithoutTrailingNewline(t *testing.T) {
	d := additionDiff("x.go", "a\nb")
	want := "--- /dev/null\n+++ b/x.go\n@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n"
	if d != want {
		t.Errorf("got %q", d)
	}
	if add, del := countChanges(d); add != 2 || del != 0 {
		t.Errorf("counted %d/%d", add, del)
	}
}

func TestTailBuffer(t *testing.T) {
	var b tailBuffer
	b.max = execMaxBuffer
	for i := 0; i < 3000; i++ {
		_, _ = b.Write([]byte("line\n"))
	}
	out, cut := b.result()
	if !cut || strings.Count(out, "\n") != execMaxLines {
		t.Errorf("lines %d cut %v", strings.Count(out, "\n"), cut)
	}
	var big tailBuffer
	big.max = execMaxBuffer
	_, _ = big.Write([]byte(strings.Repeat("é", 100<<10)))
	out, cut = big.result()
	if !cut || len(out) > execMaxBytes || !strings.HasPrefix(out, "é") {
		t.Errorf("bytes %d cut %v prefix %q", len(out), cut, out[:2])
	}
}
