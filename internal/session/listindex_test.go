package session

import (
	"bytes"
	"encoding/gob"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// cachedStore returns a store whose list cache is kept in a file, sharing
// st's directories (a restarted server).
func cachedStore(st *Store, cacheFile string) *Store {
	opts := st.opts
	opts.ListCacheFile = cacheFile
	return NewStore(opts)
}

func namesByID(t *testing.T, st *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, in := range must[[]Info](t)(st.List("p")) {
		out[in.ID] = in.Name
	}
	return out
}

// TestListCacheSurvivesRestart: a restarted store lists from the saved
// summaries while files keep their size and mtime, and reads a file again
// as soon as either changes.
func TestListCacheSurvivesRestart(t *testing.T) {
	base := testStore(t)
	cacheFile := filepath.Join(t.TempDir(), "cache", "session-list.json")
	first := cachedStore(base, cacheFile)
	s := must[*Session](t)(first.Create("p", "/work/p", CreateOptions{}))
	must[string](t)(s.AppendMessage(userMsg("hello", 1748800000000)))
	must[string](t)(s.AppendMessage(assistantMsg("hi", 1748800001000))) // the file is written from the first reply on
	must[string](t)(s.SetName("Alpha"))
	if got := namesByID(t, first)[s.ID()]; got != "Alpha" {
		t.Fatalf("name %q", got)
	}
	if err := first.FlushListCache(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(cacheFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache file: %v %v (first messages are private: want 0600)", fi, err)
	}

	// Same size and mtime, different bytes: only a cache hit still says Alpha.
	path := s.Path()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data := readFile(t, path)
	if err := os.WriteFile(path, bytes.Replace(data, []byte(`"Alpha"`), []byte(`"Omega"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if got := namesByID(t, cachedStore(base, cacheFile))[s.ID()]; got != "Alpha" {
		t.Fatalf("after a restart the name is %q: the saved summary was not used", got)
	}

	// A new mtime makes the restarted store read the file.
	later := fi.ModTime().Add(time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if got := namesByID(t, cachedStore(base, cacheFile))[s.ID()]; got != "Omega" {
		t.Fatalf("name %q after the file changed", got)
	}
}

// TestListCacheForgetsDeletedFiles: a file removed between runs is neither
// listed nor kept in the saved cache.
func TestListCacheForgetsDeletedFiles(t *testing.T) {
	base := testStore(t)
	cacheFile := filepath.Join(t.TempDir(), "session-list.json")
	st := cachedStore(base, cacheFile)
	keep := must[*Session](t)(st.Create("p", "/work/p", CreateOptions{}))
	must[string](t)(keep.AppendMessage(userMsg("keep", 1)))
	must[string](t)(keep.AppendMessage(assistantMsg("ok", 2)))
	gone := must[*Session](t)(st.Create("p", "/work/p", CreateOptions{}))
	must[string](t)(gone.AppendMessage(userMsg("gone", 3)))
	must[string](t)(gone.AppendMessage(assistantMsg("ok", 4)))
	if n := len(namesByID(t, st)); n != 2 {
		t.Fatalf("%d sessions", n)
	}
	if err := st.FlushListCache(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(gone.Path()); err != nil {
		t.Fatal(err)
	}
	restarted := cachedStore(base, cacheFile)
	if ids := namesByID(t, restarted); len(ids) != 1 {
		t.Fatalf("listed %v after a delete", ids)
	}
	if err := restarted.FlushListCache(); err != nil {
		t.Fatal(err)
	}
	if saved := readFile(t, cacheFile); bytes.Contains(saved, []byte(gone.Path())) || !bytes.Contains(saved, []byte(keep.Path())) {
		t.Fatalf("saved cache after the delete:\n%s", saved)
	}
}

// TestListCacheIgnoresBadFile: a corrupt or foreign cache file costs a
// cold list, never a wrong or failed one.
func TestListCacheIgnoresBadFile(t *testing.T) {
	var otherVersion bytes.Buffer
	if err := gob.NewEncoder(&otherVersion).Encode(indexFile{Version: indexVersion + 1}); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"corrupt":       "\x00\x01 not gob",
		"JSON":          `{"version":1,"files":{}}`,
		"other version": otherVersion.String(),
		"empty":         ``,
	} {
		t.Run(name, func(t *testing.T) {
			base := testStore(t)
			s := must[*Session](t)(base.Create("p", "/work/p", CreateOptions{}))
			must[string](t)(s.AppendMessage(userMsg("hi", 1)))
			must[string](t)(s.AppendMessage(assistantMsg("ok", 2)))
			must[string](t)(s.SetName("Real"))
			cacheFile := filepath.Join(t.TempDir(), "session-list.json")
			if err := os.WriteFile(cacheFile, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			got := namesByID(t, cachedStore(base, cacheFile))
			if len(got) != 1 || got[s.ID()] != "Real" {
				t.Fatalf("listed %v", got)
			}
		})
	}
}
