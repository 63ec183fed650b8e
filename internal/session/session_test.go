package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// TestWriteEveryEntryType writes one entry of each type and compares the
// file with a golden file: pi's key order, lazy first write, parent chain.
func TestWriteEveryEntryType(t *testing.T) {
	st := testStore(t)
	s := must[*Session](t)(st.Create("proj-1", "/work/project", CreateOptions{}))
	ok := must[string](t)
	ok(s.AppendModelChange("anthropic", "claude-sonnet-4-5"))
	ok(s.AppendThinkingLevelChange("medium"))
	user := ok(s.AppendMessage(userMsg("Fix the <bug> & \"quote\"\u2028 ünï", 1748779200100)))
	ok(s.AppendCustom("my-ext", json.RawMessage(`{"count":42}`)))
	if _, err := os.Stat(s.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("file written before the first assistant message: %v", err)
	}
	ok(s.AppendMessage(assistantMsg("Done.", 1748779200200)))
	if _, err := os.Stat(s.Path()); err != nil {
		t.Fatalf("file not written with the first assistant message: %v", err)
	}
	code := 2
	ok(s.AppendMessage(ai.Message{Role: ai.RoleToolResult, ToolCallID: "call_1", ToolName: "bash",
		Content: []ai.Content{ai.TextContent("out")}, IsError: true, Timestamp: 1748779200300}))
	ok(s.AppendMessage(ai.Message{Role: ai.RoleBashExecution, Command: "ls", Output: "a\n", ExitCode: &code, Timestamp: 1748779200400}))
	ok(s.AppendCustomMessage(ai.Message{CustomType: "my-ext", Content: []ai.Content{ai.TextContent("injected")}, ContentIsString: true, Display: true}))
	ok(s.AppendCustomMessage(ai.Message{CustomType: "my-ext", Content: []ai.Content{ai.TextContent("blocks")}, Details: json.RawMessage(`{"k":1}`)}))
	ok(s.SetLabel(user, "checkpoint"))
	ok(s.SetLabel(user, ""))
	ok(s.SetName("  My session  "))
	fromHook := false
	ok(s.AppendCompaction(Compaction{Summary: "summary", FirstKeptEntryID: user, TokensBefore: 1234,
		Details: json.RawMessage(`{"readFiles":[],"modifiedFiles":["a.go"]}`), FromHook: &fromHook}))
	ok(s.BranchWithSummary(user, BranchSummary{Summary: "abandoned", FromHook: &fromHook}))
	ok(s.BranchWithSummary("", BranchSummary{Summary: "from root"}))
	golden(t, "written.jsonl", readFile(t, s.Path()))

	if got := filepath.Base(s.Path()); !strings.HasPrefix(got, "2025-06-01T12-00-00-001Z_") || !strings.HasSuffix(got, "_"+s.ID()+".jsonl") {
		t.Errorf("file name %q, want <ISO ts with - >_<id>.jsonl", got)
	}
	if got, want := filepath.Dir(s.Path()), filepath.Join(st.opts.SessionDir, "proj-1"); got != want {
		t.Errorf("dir %s, want %s", got, want)
	}

	// Reading it back gives the same entries, byte for byte.
	r := must[*Session](t)(st.Open(s.Path()))
	assertSameEntries(t, r, s)
}

func assertSameEntries(t *testing.T, got, want *Session) {
	t.Helper()
	ge, we := got.Entries(), want.Entries()
	if len(ge) != len(we) {
		t.Fatalf("%d entries, want %d", len(ge), len(we))
	}
	for i := range ge {
		if !bytes.Equal(ge[i].Raw(), we[i].Raw()) {
			t.Errorf("entry %d:\n got %s\nwant %s", i, ge[i].Raw(), we[i].Raw())
		}
	}
	if got.LeafID() != want.LeafID() {
		t.Errorf("leaf %q, want %q", got.LeafID(), want.LeafID())
	}
}

// TestRoundTripKeepsBytes opens a pi-written file holding every entry type,
// unknown entry types and unknown keys, appends, and checks that every
// original byte is still there and decoded as pi would.
func TestRoundTripKeepsBytes(t *testing.T) {
	st := testStore(t)
	orig := readFile(t, filepath.Join("testdata", "pi-every-type.jsonl"))
	path := filepath.Join(st.opts.SessionDir, "p", "2025-01-01T00-00-00-000Z_0197a1b2-0000-7000-8000-000000000001.jsonl")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	s := must[*Session](t)(st.Open(path))
	lines := bytes.Split(bytes.TrimSuffix(orig, []byte("\n")), []byte("\n"))
	entries := s.Entries()
	if len(entries) != len(lines)-1 {
		t.Fatalf("%d entries, want %d", len(entries), len(lines)-1)
	}
	for i, e := range entries {
		if !bytes.Equal(e.Raw(), lines[i+1]) {
			t.Errorf("entry %d raw changed:\n got %s\nwant %s", i, e.Raw(), lines[i+1])
		}
	}
	if got := s.LeafID(); got != entries[len(entries)-1].ID {
		t.Errorf("leaf %s, want the last entry", got)
	}
	id := must[string](t)(s.AppendThinkingLevelChange("high"))
	got := readFile(t, path)
	if !bytes.HasPrefix(got, orig) {
		t.Fatalf("append changed earlier bytes")
	}
	added := string(got[len(orig):])
	if !strings.HasPrefix(added, `{"type":"thinking_level_change","id":"`+id+`","parentId":"`+entries[len(entries)-1].ID+`"`) || !strings.HasSuffix(added, "}\n") || strings.Count(added, "\n") != 1 {
		t.Errorf("appended line %q", added)
	}

	// Decoded payloads.
	byType := map[string]*Entry{}
	for _, e := range entries {
		byType[e.Type] = e
	}
	if e := byType["future_entry_type"]; e == nil || e.ID != "ffff0001" {
		t.Errorf("unknown entry type not kept in the tree: %+v", e)
	}
	if s.Name() != "Renamed" {
		t.Errorf("name %q, want the last session_info's", s.Name())
	}
	if cm := byType[TypeCustomMessage]; cm.Message.Role != ai.RoleCustom || cm.Message.Text() != "Injected context" || !cm.Message.Display {
		t.Errorf("custom_message decoded as %+v", cm.Message)
	}
}

// repeatReader returns the same bytes forever, so every 8-hex id collides.
type repeatReader struct{}

func (repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0xab
	}
	return len(p), nil
}

// TestEntryIDCollision: a colliding short id is retried; after 100 tries
// pi falls back to a full UUID, and so does this store.
func TestEntryIDCollision(t *testing.T) {
	st := NewStore(Options{SessionDir: t.TempDir(), Rand: repeatReader{}})
	s := must[*Session](t)(st.Create("p", "/p", CreateOptions{}))
	first := must[string](t)(s.AppendMessage(userMsg("a", 1)))
	second := must[string](t)(s.AppendMessage(userMsg("b", 2)))
	if first != "abababab" || second == first || len(second) != 36 {
		t.Errorf("ids %q %q", first, second)
	}
}

// TestConcurrentUse appends from one goroutine while others read (run with
// -race): the registry's agent loop appends while HTTP handlers read.
func TestConcurrentUse(t *testing.T) {
	st := testStore(t)
	s, _ := conversation(t, st)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			if _, err := s.AppendMessage(assistantMsg("more", int64(i))); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 20 {
		_ = s.TreeView()
		_ = s.BuildContext()
		_ = s.Compactions()
		if _, err := st.List("p"); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	if n := len(must[*Session](t)(st.Open(s.Path())).Entries()); n != 54 {
		t.Errorf("%d entries on disk, want 54", n)
	}
}
