package session

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// childFile writes a pi-subagents child session under the parent's sibling dir.
func childFile(t *testing.T, parent *Session, rel, id string) string {
	t.Helper()
	dir := strings.TrimSuffix(parent.Path(), ".jsonl")
	path := filepath.Join(dir, rel)
	data := `{"type":"session","version":3,"id":"` + id + `","timestamp":"2025-06-01T13:00:00.000Z","cwd":"/work/p"}` + "\n" +
		`{"type":"message","id":"c1000001","parentId":null,"timestamp":"2025-06-01T13:00:01.000Z","message":{"role":"user","content":"child task","timestamp":1748782801000}}` + "\n"
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestListAndLocate(t *testing.T) {
	st := testStore(t)
	older, _ := conversation(t, st)
	newer := must[*Session](t)(st.Create("p", "/work/p", CreateOptions{}))
	ok := must[string](t)
	ok(newer.AppendMessage(userMsg("", 10)))
	ok(newer.AppendMessage(userMsg("hello there", 1748800000000)))
	ok(newer.AppendMessage(assistantMsg("hi", 1748800001000)))
	ok(newer.AppendMessage(userMsg("later", 1748800002000)))
	ok(newer.SetName("Named"))
	unwritten := must[*Session](t)(st.Create("p", "/work/p", CreateOptions{}))
	ok(unwritten.AppendMessage(userMsg("not yet on disk", 1)))

	c1 := childFile(t, newer, "run1/child-a.jsonl", "child-a")
	c2 := childFile(t, newer, "run2/run-0/session.jsonl", "child-b")
	projectDir := filepath.Dir(newer.Path())
	for name, data := range map[string]string{
		"subagent-artifacts/x.jsonl": `{"type":"session","version":3,"id":"artifact","timestamp":"2025-01-01T00:00:00.000Z","cwd":"/"}` + "\n",
		"foreign.jsonl":              `{"hello":"world"}` + "\n",
		"notes.txt":                  "not a session",
	} {
		p := filepath.Join(projectDir, name)
		_ = os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	list := must[[]Info](t)(st.List("p"))
	byID := map[string]Info{}
	for _, in := range list {
		byID[in.ID] = in
	}
	if len(list) != 4 {
		t.Fatalf("%d sessions listed, want 4: %+v", len(list), list)
	}
	n := byID[newer.ID()]
	if n.Name != "Named" || n.MessageCount != 4 || n.FirstMessage != "hello there" || n.Path != newer.Path() || n.ProjectID != "p" || n.Cwd != "/work/p" {
		t.Errorf("newer: %+v", n)
	}
	if !n.LastActivityAt.Equal(time.UnixMilli(1748800002000)) {
		t.Errorf("last activity %v", n.LastActivityAt)
	}
	if !n.CreatedAt.Equal(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(isoMillis(newer.Header().Timestamp)-1748779200000) * time.Millisecond)) {
		t.Errorf("created %v", n.CreatedAt)
	}
	o := byID[older.ID()]
	if o.FirstMessage != "first question" || o.MessageCount != 4 || o.Name != "" {
		t.Errorf("older: %+v", o)
	}
	if list[0].ID != newer.ID() {
		t.Errorf("not sorted by activity: first is %s", list[0].ID)
	}
	for _, c := range []struct{ id, path, run string }{{"child-a", c1, "run1"}, {"child-b", c2, "run2/run-0"}} {
		in := byID[c.id]
		if in.ParentSessionID != newer.ID() || in.RunID != c.run || in.Path != c.path || in.FirstMessage != "child task" {
			t.Errorf("child %s: %+v", c.id, in)
		}
	}

	// Listing again after a change sees it (the cache is keyed by size and mtime).
	ok(older.SetName("Renamed"))
	list = must[[]Info](t)(st.List("p"))
	for _, in := range list {
		if in.ID == older.ID() && in.Name != "Renamed" {
			t.Errorf("stale cache: %+v", in)
		}
	}

	loc := must[Location](t)(st.Locate(older.ID()))
	if loc.Path != older.Path() || loc.ProjectID != "p" {
		t.Errorf("locate %+v", loc)
	}
	loc = must[Location](t)(st.Locate("child-b"))
	if loc.Path != c2 || loc.ParentSessionID != newer.ID() || loc.RunID != "run2/run-0" {
		t.Errorf("locate child %+v", loc)
	}
	if _, err := st.Locate(unwritten.ID()); !errors.Is(err, ErrNotFound) {
		t.Errorf("locate unwritten: %v", err)
	}
	if _, err := st.Locate("artifact"); !errors.Is(err, ErrNotFound) {
		t.Errorf("subagent-artifacts searched: %v", err)
	}
	if l, err := st.List("missing-project"); err != nil || len(l) != 0 {
		t.Errorf("missing project: %v %v", l, err)
	}
	if _, err := st.List("../etc"); !errors.Is(err, ErrBadProjectID) {
		t.Errorf("bad project id: %v", err)
	}
}

func TestListFallsBackToHeaderTime(t *testing.T) {
	st := testStore(t)
	path := writeSessionFile(t, st, "x.jsonl", []byte(`{"type":"session","version":3,"id":"h1","timestamp":"2025-02-03T04:05:06.789Z","cwd":"/"}`+"\n"+
		`{"type":"model_change","id":"m1","parentId":null,"timestamp":"2025-02-03T04:05:07.000Z","provider":"a","modelId":"b"}`+"\n"))
	list := must[[]Info](t)(st.List("p"))
	if len(list) != 1 || list[0].Path != path || list[0].FirstMessage != "(no messages)" || list[0].MessageCount != 0 {
		t.Fatalf("%+v", list)
	}
	if want := time.Date(2025, 2, 3, 4, 5, 6, 789e6, time.UTC); !list[0].LastActivityAt.Equal(want) || !list[0].CreatedAt.Equal(want) {
		t.Errorf("times %v %v", list[0].LastActivityAt, list[0].CreatedAt)
	}
}
