package session

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

func TestArchiveAndPurge(t *testing.T) {
	st := testStore(t)
	s, _ := conversation(t, st)
	c := childFile(t, s, "run1/child.jsonl", "kid")
	loc := must[Location](t)(st.Locate(s.ID()))
	dir := must[string](t)(st.Archive(loc, s.ID()))

	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-` + regexp.QuoteMeta(s.ID()) + `-[0-9a-f]{8}$`).MatchString(filepath.Base(dir)) {
		t.Errorf("archive dir name %s", filepath.Base(dir))
	}
	if filepath.Dir(dir) != filepath.Join(st.opts.DataDir, "archived-sessions") {
		t.Errorf("archive dir %s", dir)
	}
	for _, p := range []string{s.Path(), c} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still in the session dir", p)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.Base(s.Path()))); err != nil {
		t.Errorf("session file not archived: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "subagents", "run1", "child.jsonl")); err != nil {
		t.Errorf("subagent dir not archived: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "metadata.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("metadata.json: %v %v", fi, err)
	}
	var meta map[string]any
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, "metadata.json")), &meta); err != nil {
		t.Fatal(err)
	}
	archived, _ := time.Parse(time.RFC3339, meta["archivedAt"].(string))
	purge, _ := time.Parse(time.RFC3339, meta["purgeAfter"].(string))
	if meta["version"] != 1.0 || meta["sessionId"] != s.ID() || meta["projectId"] != "p" || meta["originalSessionPath"] != s.Path() ||
		meta["sessionFile"] != filepath.Base(s.Path()) || meta["subagentDir"] != "subagents" || purge.Sub(archived) != ArchiveRetention {
		t.Errorf("metadata %v", meta)
	}
	if l := must[[]Info](t)(st.List("p")); len(l) != 0 {
		t.Errorf("archived session still listed: %+v", l)
	}

	// An archive without readable metadata falls back to the dir's mtime.
	stale := filepath.Join(st.ArchiveDir(), "no-metadata")
	if err := os.MkdirAll(stale, 0o700); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(st.ArchiveDir(), "fresh-no-metadata")
	if err := os.MkdirAll(fresh, 0o700); err != nil {
		t.Fatal(err)
	}
	old := st.opts.Now().Add(-8 * 24 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if n := must[int](t)(st.PurgeArchives()); n != 1 {
		t.Errorf("purged %d before expiry, want only the stale one", n)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Error("unexpired archive purged")
	}

	later := NewStore(Options{SessionDir: st.opts.SessionDir, DataDir: st.opts.DataDir,
		Now: func() time.Time { return purge.Add(time.Second) }})
	if n := must[int](t)(later.PurgeArchives()); n != 1 {
		t.Errorf("purged %d after expiry, want 1", n)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Error("expired archive kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("fresh dir without metadata purged")
	}
}

func TestArchiveChildKeepsParentDir(t *testing.T) {
	st := testStore(t)
	s, _ := conversation(t, st)
	childFile(t, s, "run1/a.jsonl", "kid-a")
	b := childFile(t, s, "run1/b.jsonl", "kid-b")
	loc := must[Location](t)(st.Locate("kid-a"))
	dir := must[string](t)(st.Archive(loc, "kid-a"))
	if _, err := os.Stat(b); err != nil {
		t.Errorf("sibling child moved: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "subagents")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a child's archive took a subagents dir")
	}
}

func TestPurgeWithoutArchives(t *testing.T) {
	st := testStore(t)
	if n, err := st.PurgeArchives(); n != 0 || err != nil {
		t.Errorf("%d %v", n, err)
	}
}
