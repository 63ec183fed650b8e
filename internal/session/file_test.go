package session

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// placeFile copies testdata/name into the store's project dir "p".
func placeFile(t *testing.T, st *Store, name string) string {
	t.Helper()
	return writeSessionFile(t, st, name, readFile(t, filepath.Join("testdata", name)))
}

func writeSessionFile(t *testing.T, st *Store, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(st.opts.SessionDir, "p", name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMigrateV1(t *testing.T) {
	st := testStore(t)
	path := placeFile(t, st, "v1.jsonl")
	s := must[*Session](t)(st.Open(path))
	golden(t, "v1-migrated.jsonl", readFile(t, path))

	h := s.Header()
	if h.Version != 3 || h.ID != "legacy-1" {
		t.Errorf("header %+v", h)
	}
	if !strings.Contains(string(h.Raw()), `"provider":"anthropic"`) {
		t.Errorf("legacy header fields dropped: %s", h.Raw())
	}
	es := s.Entries()
	if len(es) != 6 {
		t.Fatalf("%d entries, want 6 (the non-JSON line is dropped)", len(es))
	}
	for i, e := range es {
		if len(e.ID) != 8 {
			t.Errorf("entry %d id %q", i, e.ID)
		}
		want := ""
		if i > 0 {
			want = es[i-1].ID
		}
		if e.ParentID != want {
			t.Errorf("entry %d parent %q, want %q (a chain)", i, e.ParentID, want)
		}
	}
	comp := es[4]
	if comp.Type != TypeCompaction || comp.FirstKeptEntryID != es[2].ID {
		t.Errorf("compaction firstKeptEntryId %q, want %q (index 3 of the entries array)", comp.FirstKeptEntryID, es[2].ID)
	}
	if strings.Contains(string(comp.Raw()), "firstKeptEntryIndex") {
		t.Errorf("firstKeptEntryIndex kept: %s", comp.Raw())
	}
	if es[5].Role() != ai.RoleCustom || es[5].Message.CustomType != "old-hook" {
		t.Errorf("hookMessage not renamed: %s", es[5].Raw())
	}
	ctx := s.BuildContext()
	var roles []string
	for _, m := range ctx.Messages {
		roles = append(roles, m.Role)
	}
	if got := strings.Join(roles, ","); got != "compactionSummary,user,assistant,custom" {
		t.Errorf("context roles %s", got)
	}

	// A migrated file is not migrated again.
	before := readFile(t, path)
	must[*Session](t)(st.Open(path))
	if !bytes.Equal(before, readFile(t, path)) {
		t.Error("second open rewrote the file")
	}
}

func TestMigrateV2(t *testing.T) {
	st := testStore(t)
	path := placeFile(t, st, "v2.jsonl")
	orig := readFile(t, path)
	s := must[*Session](t)(st.Open(path))
	got := readFile(t, path)
	want := strings.Replace(string(orig), `"version":2`, `"version":3`, 1)
	want = strings.Replace(want, `"role":"hookMessage"`, `"role":"custom"`, 1)
	if string(got) != want {
		t.Errorf("v2 migration changed more than version and role:\n%s", got)
	}
	if e, _ := s.Entry("b0000002"); e.Role() != ai.RoleCustom {
		t.Errorf("role %q", e.Role())
	}
}

const tornHeader = `{"type":"session","version":3,"id":"torn-1","timestamp":"2025-01-01T00:00:00.000Z","cwd":"/p"}` + "\n"

func lineFor(id, parent string) string {
	p := "null"
	if parent != "" {
		p = `"` + parent + `"`
	}
	return `{"type":"message","id":"` + id + `","parentId":` + p + `,"timestamp":"2025-01-01T00:00:01.000Z","message":{"role":"assistant","content":[{"type":"text","text":"x"}],"api":"a","provider":"p","model":"m","usage":{"input":0,"output":0,"cacheRead":0,"cacheWrite":0,"totalTokens":0,"cost":{"input":0,"output":0,"cacheRead":0,"cacheWrite":0,"total":0}},"stopReason":"stop","timestamp":1}}` + "\n"
}

// TestTornLastLine: a crash mid-write leaves half a line. Reading skips it,
// earlier entries stay, and the next append cuts the fragment off instead of
// gluing onto it.
func TestTornLastLine(t *testing.T) {
	st := testStore(t)
	whole := tornHeader + lineFor("c0000001", "") + lineFor("c0000002", "c0000001")
	torn := lineFor("c0000003", "c0000002")
	path := writeSessionFile(t, st, "torn.jsonl", []byte(whole+torn[:len(torn)/2]))

	s := must[*Session](t)(st.Open(path))
	if n := len(s.Entries()); n != 2 || s.LeafID() != "c0000002" {
		t.Fatalf("%d entries, leaf %s; want the 2 whole ones", n, s.LeafID())
	}
	if got := readFile(t, path); len(got) != len(whole)+len(torn)/2 {
		t.Errorf("opening changed the file")
	}
	id := must[string](t)(s.AppendThinkingLevelChange("low"))
	got := string(readFile(t, path))
	if !strings.HasPrefix(got, whole) {
		t.Fatalf("earlier entries changed:\n%s", got)
	}
	rest := got[len(whole):]
	if !strings.HasPrefix(rest, `{"type":"thinking_level_change","id":"`+id+`","parentId":"c0000002"`) || strings.Count(rest, "\n") != 1 {
		t.Errorf("after repair the file ends with %q", rest)
	}
	r := must[*Session](t)(st.Open(path))
	assertSameEntries(t, r, s)
}

// TestMissingFinalNewline: a complete last line without "\n" is an entry,
// and the next append starts a new line.
func TestMissingFinalNewline(t *testing.T) {
	st := testStore(t)
	data := tornHeader + strings.TrimSuffix(lineFor("d0000001", ""), "\n")
	path := writeSessionFile(t, st, "nonl.jsonl", []byte(data))
	s := must[*Session](t)(st.Open(path))
	if s.LeafID() != "d0000001" {
		t.Fatalf("leaf %q", s.LeafID())
	}
	must[string](t)(s.AppendThinkingLevelChange("low"))
	got := string(readFile(t, path))
	if !strings.HasPrefix(got, data+"\n{") {
		t.Errorf("append glued onto the last line:\n%s", got)
	}
	if n := len(must[*Session](t)(st.Open(path)).Entries()); n != 2 {
		t.Errorf("%d entries after reopen, want 2", n)
	}
}

// TestGluedLineRecovered: a writer that appended after a torn line without
// a newline (pi does) glued a whole entry onto the fragment; it is read.
func TestGluedLineRecovered(t *testing.T) {
	st := testStore(t)
	torn := lineFor("e0000002", "e0000001")
	data := tornHeader + lineFor("e0000001", "") + torn[:40] + lineFor("e0000003", "e0000001")
	path := writeSessionFile(t, st, "glued.jsonl", []byte(data))
	s := must[*Session](t)(st.Open(path))
	var ids []string
	for _, e := range s.Entries() {
		ids = append(ids, e.ID)
	}
	if got := strings.Join(ids, ","); got != "e0000001,e0000003" {
		t.Errorf("entries %s, want the glued entry recovered", got)
	}
}

// TestInvalidHeaderSetAside: pi truncates a file without a valid header;
// here it is renamed aside and the session starts fresh at the same path.
func TestInvalidHeaderSetAside(t *testing.T) {
	st := testStore(t)
	path := writeSessionFile(t, st, "bad.jsonl", []byte(`{"type":"message","id":"x"}`+"\n"))
	s := must[*Session](t)(st.Open(path))
	if s.Path() != path || len(s.Entries()) != 0 || s.Persisted() {
		t.Fatalf("path %s entries %d persisted %v", s.Path(), len(s.Entries()), s.Persisted())
	}
	matches, _ := filepath.Glob(path + ".invalid-*")
	if len(matches) != 1 {
		t.Fatalf("invalid file not kept aside: %v", matches)
	}
	must[string](t)(s.AppendMessage(userMsg("hi", 1)))
	must[string](t)(s.AppendMessage(assistantMsg("yo", 2)))
	if r := must[*Session](t)(st.Open(path)); len(r.Entries()) != 2 || r.Header().ID != s.ID() {
		t.Errorf("fresh session not written at the old path")
	}
}

// TestOpenMissingKeepsPath: opening a path that does not exist starts a
// session that will be written exactly there.
func TestOpenMissingKeepsPath(t *testing.T) {
	st := testStore(t)
	path := filepath.Join(st.opts.SessionDir, "p", "explicit.jsonl")
	s := must[*Session](t)(st.Open(path))
	must[string](t)(s.AppendMessage(userMsg("hi", 1)))
	must[string](t)(s.AppendMessage(assistantMsg("yo", 2)))
	var h map[string]any
	first, _, _ := bytes.Cut(readFile(t, path), []byte("\n"))
	if err := json.Unmarshal(first, &h); err != nil || h["id"] != s.ID() {
		t.Errorf("header %s", first)
	}
}
