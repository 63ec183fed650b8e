package resources

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// write creates path (and its parents) with content.
func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fixture is an agent dir, a data dir, a home and a project below one temp
// root (realpath, so paths in prompts match what the loader sees).
type fixture struct {
	root, agent, data, home, project string
	loader                           *Loader
}

var fixedNow = time.Date(2026, 3, 4, 12, 0, 0, 0, time.Local)

func newFixture(t testing.TB, opts ...func(*Options)) *fixture {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{
		root:    root,
		agent:   filepath.Join(root, "agent"),
		data:    filepath.Join(root, "data"),
		home:    filepath.Join(root, "home"),
		project: filepath.Join(root, "ws", "proj"),
	}
	for _, d := range []string{f.agent, f.data, f.home, f.project} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A .git at the workspace keeps ancestor .agents/skills lookups inside
	// the temp tree.
	if err := os.MkdirAll(filepath.Join(root, "ws", ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	o := Options{AgentDir: f.agent, DataDir: f.data, Home: f.home, Now: func() time.Time { return fixedNow }}
	for _, fn := range opts {
		fn(&o)
	}
	f.loader = New(o)
	return f
}

func (f *fixture) proj() Project { return Project{ID: "p1", Path: f.project} }

func (f *fixture) load(t testing.TB) *Session {
	t.Helper()
	s, err := f.loader.Load(context.Background(), f.proj())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// anon replaces the temp root in s so goldens are stable.
func (f *fixture) anon(s string) string { return strings.ReplaceAll(s, f.root, "$ROOT") }

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func skillNames(ss []Skill) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}
