package search

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/testutil/filetree"
	"go.uber.org/goleak"
)

var (
	ctx      = context.Background()
	launcher = mustLauncher()
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func mustLauncher() *proc.Launcher {
	l, err := proc.New(proc.Config{ServerEnv: os.Environ()})
	if err != nil {
		panic(err)
	}
	return l
}

// fixture is a git repository "repo" holding the project "repo/proj",
// with every kind of file the rules treat differently.
func fixture(t testing.TB) (repo, proj string) {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	repo = filepath.Join(dir, "repo")
	proj = filepath.Join(repo, "proj")
	files := map[string]string{
		".gitignore":                 "proj/parent-ignored.txt\n",
		"proj/.gitignore":            "ignored.txt\nbuild-out/\n*.log\n!keep.log\n",
		"proj/.ignore":               "ig2.txt\n",
		"proj/.rgignore":             "rg3.txt\n!rg-whitelisted.log\n",
		"proj/src/.gitignore":        "local.txt\n",
		"proj/src/a.ts":              "const needle = 1; // NEEDLE and Needle\n",
		"proj/src/b.js":              "needle();\n",
		"proj/src/sub/c.ts":          "x\nneedle at line 2\n",
		"proj/src/local.txt":         "needle\n",
		"proj/src/sub/local.txt":     "needle in nested dir, ignored by src/.gitignore\n",
		"proj/ignored.txt":           "needle\n",
		"proj/parent-ignored.txt":    "needle\n",
		"proj/build-out/x.txt":       "needle\n",
		"proj/debug.log":             "needle\n",
		"proj/keep.log":              "needle\n",
		"proj/rg-whitelisted.log":    "needle\n",
		"proj/ig2.txt":               "needle\n",
		"proj/rg3.txt":               "needle\n",
		"proj/excluded.txt":          "needle\n",
		"proj/.env":                  "NEEDLE=1\n",
		"proj/.hid/h.txt":            "needle\n",
		"proj/node_modules/m.js":     "needle\n",
		"proj/dist/d.js":             "needle\n",
		"proj/docs/readme.md":        "héllo needle 😀 needle\n",
		"proj/docs/crlf.txt":         "needle\r\nsecond needle\r\n",
		"proj/docs/kelvin.txt":       "\u212Aelvin is not kelvin\n",
		"proj/docs/numbers.txt":      "a 12 b 345\n",
		"proj/bin.dat":               "needle\x00binary\n",
		"proj/src/weird name [1].ts": "needle\n",
	}
	filetree.Write(t, repo, files)
	run(t, repo, "git", "init", "-q")
	if err := os.WriteFile(filepath.Join(repo, ".git/info/exclude"), []byte("proj/excluded.txt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	medium := append(bytes.Repeat([]byte("filler line of text\n"), 100_000), "the end: haystackend\n"...)
	if err := os.WriteFile(filepath.Join(proj, "docs", "medium.txt"), medium, 0o644); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("needle\n"), MaxFileBytes/7+1)
	if err := os.WriteFile(filepath.Join(proj, "big.txt"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(proj, "src/b.js"), filepath.Join(proj, "link.js")); err != nil {
		t.Fatal(err)
	}
	return repo, proj
}

func run(t testing.TB, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func engines(t *testing.T) (rg, gosearch *Searcher) {
	t.Helper()
	rg = New(launcher, Options{})
	if rg.Engine() != EngineRipgrep {
		t.Fatal("ripgrep (rg) must be on PATH for the parity tests")
	}
	return rg, New(launcher, Options{DisableRipgrep: true})
}

func paths(ms []Match) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		if !seen[m.Path] {
			seen[m.Path] = true
			out = append(out, m.Path)
		}
	}
	sort.Strings(out)
	return out
}

// Both engines give identical results for the same query, and the
// results are what the rules say.
func TestEnginesAgree(t *testing.T) {
	rg, gs := engines(t)
	_, proj := fixture(t)
	cases := []struct {
		name  string
		q     Query
		paths []string // expected files, nil: only compare the engines
	}{
		{"default", Query{Pattern: "needle"}, []string{
			"docs/crlf.txt", "docs/readme.md", "keep.log", "rg-whitelisted.log", "src/a.ts", "src/b.js", "src/sub/c.ts", "src/weird name [1].ts",
		}},
		{"case sensitive", Query{Pattern: "NEEDLE", CaseSensitive: true}, []string{"src/a.ts"}},
		{"regex", Query{Pattern: `ne+dle\b`, Regex: true, CaseSensitive: true}, nil},
		{"regex anchors", Query{Pattern: `^needle$`, Regex: true}, []string{"keep.log", "rg-whitelisted.log", "src/weird name [1].ts"}},
		{"regex digits", Query{Pattern: `\d{2,}`, Regex: true}, []string{"docs/numbers.txt"}},
		{"empty matches", Query{Pattern: `x*`, Regex: true, Include: "c.ts"}, nil},
		{"include basename", Query{Pattern: "needle", Include: "*.ts"}, []string{"src/a.ts", "src/sub/c.ts", "src/weird name [1].ts"}},
		{"include anchored", Query{Pattern: "needle", Include: "src/*.ts"}, []string{"src/a.ts", "src/weird name [1].ts"}},
		{"include doublestar", Query{Pattern: "needle", Include: "**/sub/*"}, []string{"src/sub/c.ts"}},
		{"include braces", Query{Pattern: "needle", Include: "*.{js,md}"}, []string{"docs/readme.md", "src/b.js"}},
		{"include does not unignore", Query{Pattern: "needle", Include: "*.txt"}, []string{"docs/crlf.txt"}},
		{"exclude dir", Query{Pattern: "needle", Exclude: "sub"}, nil},
		{"exclude files", Query{Pattern: "needle", Exclude: "*.ts"}, nil},
		{"exclude anchored dir", Query{Pattern: "needle", Exclude: "src/sub/"}, nil},
		{"include and exclude", Query{Pattern: "needle", Include: "*.ts", Exclude: "sub"}, []string{"src/a.ts", "src/weird name [1].ts"}},
		{"gitignored too", Query{Pattern: "needle", IncludeGitignored: true}, []string{
			".env", ".hid/h.txt", "build-out/x.txt", "debug.log", "dist/d.js", "docs/crlf.txt", "docs/readme.md", "excluded.txt",
			"ig2.txt", "ignored.txt", "keep.log", "node_modules/m.js", "parent-ignored.txt", "rg-whitelisted.log", "rg3.txt",
			"src/a.ts", "src/b.js", "src/local.txt", "src/sub/c.ts", "src/sub/local.txt", "src/weird name [1].ts",
		}},
		{"unicode case folding", Query{Pattern: "kelvin"}, []string{"docs/kelvin.txt"}},
		{"ascii case folding", Query{Pattern: "NeEdLe", Include: "a.ts"}, []string{"src/a.ts"}},
		{"end of a 2 MB file", Query{Pattern: "HAYSTACKEND"}, []string{"docs/medium.txt"}},
		{"hidden dotfile via gitignored", Query{Pattern: "NEEDLE=", IncludeGitignored: true}, []string{".env"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := rg.Search(ctx, proj, c.q)
			if err != nil {
				t.Fatal(err)
			}
			b, err := gs.Search(ctx, proj, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if a.Engine != EngineRipgrep || b.Engine != EngineGo || a.Truncated || b.Truncated {
				t.Fatalf("engines %s/%s truncated %v/%v", a.Engine, b.Engine, a.Truncated, b.Truncated)
			}
			if !reflect.DeepEqual(a.Matches, b.Matches) {
				t.Fatalf("engines disagree\nripgrep: %s\ngo:      %s", dump(a.Matches), dump(b.Matches))
			}
			if c.paths != nil && !reflect.DeepEqual(paths(a.Matches), c.paths) {
				t.Fatalf("files\n got %q\nwant %q", paths(a.Matches), c.paths)
			}
			if len(a.Matches) == 0 {
				t.Fatal("a parity case with no matches proves nothing")
			}
		})
	}
}

func dump(ms []Match) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "\n  %s:%d:%d+%d %q", m.Path, m.Line, m.Column, m.Length, m.LineSnippet)
	}
	return b.String()
}

// Columns and lengths count UTF-16 code units; every match on a line is
// reported; CRLF line ends stay out of snippets.
func TestMatchPositions(t *testing.T) {
	rg, gs := engines(t)
	_, proj := fixture(t)
	for _, s := range []*Searcher{rg, gs} {
		res, err := s.Search(ctx, proj, Query{Pattern: "needle", Include: "docs/*"})
		if err != nil {
			t.Fatal(err)
		}
		want := []Match{
			{Path: "docs/crlf.txt", Line: 1, Column: 1, Length: 6, LineSnippet: "needle"},
			{Path: "docs/crlf.txt", Line: 2, Column: 8, Length: 6, LineSnippet: "second needle"},
			{Path: "docs/readme.md", Line: 1, Column: 7, Length: 6, LineSnippet: "héllo needle 😀 needle"},
			{Path: "docs/readme.md", Line: 1, Column: 17, Length: 6, LineSnippet: "héllo needle 😀 needle"},
		}
		if !reflect.DeepEqual(res.Matches, want) {
			t.Fatalf("%s: %s", s.Engine(), dump(res.Matches))
		}
	}
}

func TestLimitAndTruncation(t *testing.T) {
	rg, gs := engines(t)
	_, proj := fixture(t)
	for _, s := range []*Searcher{rg, gs} {
		res, err := s.Search(ctx, proj, Query{Pattern: "needle", Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Matches) != 3 || !res.Truncated {
			t.Fatalf("%s: %d matches, truncated %v", s.Engine(), len(res.Matches), res.Truncated)
		}
		// One file alone over the limit.
		res, err = s.Search(ctx, proj, Query{Pattern: "filler", Include: "medium.txt", Limit: 5})
		if err != nil || len(res.Matches) != 5 || !res.Truncated {
			t.Fatalf("%s: one file over the limit: %d matches, truncated %v, %v", s.Engine(), len(res.Matches), res.Truncated, err)
		}
		res, err = s.Search(ctx, proj, Query{Pattern: "NEEDLE", CaseSensitive: true, Limit: 1})
		if err != nil || len(res.Matches) != 1 || res.Truncated {
			t.Fatalf("%s: exactly the limit is not truncated: %+v %v", s.Engine(), res, err)
		}
	}
}

func TestTimeBudget(t *testing.T) {
	_, proj := fixture(t)
	for _, s := range []*Searcher{New(launcher, Options{Timeout: time.Nanosecond}), New(launcher, Options{DisableRipgrep: true, Timeout: time.Nanosecond})} {
		res, err := s.Search(ctx, proj, Query{Pattern: "needle"})
		if err != nil || !res.Truncated || res.Matches == nil {
			t.Fatalf("%s: %+v %v", s.Engine(), res, err)
		}
	}
}

func TestRejectedQueries(t *testing.T) {
	rg, gs := engines(t)
	_, proj := fixture(t)
	cases := []struct {
		q    Query
		code Code
	}{
		{Query{Pattern: ""}, CodeInvalidQuery},
		{Query{Pattern: strings.Repeat("a", 1025)}, CodeInvalidQuery},
		{Query{Pattern: "a\nb"}, CodeInvalidQuery},
		{Query{Pattern: `a\nb`, Regex: true}, CodeInvalidQuery},
		{Query{Pattern: `[\n]`, Regex: true}, CodeInvalidQuery},
		{Query{Pattern: "a(b", Regex: true}, CodeInvalidRegex},
		{Query{Pattern: `(a)\1`, Regex: true}, CodeInvalidRegex},
		{Query{Pattern: `(?=a)`, Regex: true}, CodeInvalidRegex},
		{Query{Pattern: "x", Include: "[abc"}, CodeInvalidGlob},
		{Query{Pattern: "x", Exclude: strings.Repeat("*", 257)}, CodeInvalidQuery},
	}
	for _, c := range cases {
		for _, s := range []*Searcher{rg, gs} {
			_, err := s.Search(ctx, proj, c.q)
			var e *Error
			if err == nil || !errorAs(err, &e) || e.Code != c.code || e.Status() != 400 {
				t.Errorf("%s %+v: got %v, want %s", s.Engine(), c.q, err, c.code)
			}
		}
	}
	// A plain-text search for regex syntax is fine.
	for _, s := range []*Searcher{rg, gs} {
		if _, err := s.Search(ctx, proj, Query{Pattern: "a(b[\\"}); err != nil {
			t.Errorf("%s: literal search with metacharacters: %v", s.Engine(), err)
		}
	}
}

func errorAs(err error, e **Error) bool {
	v, ok := err.(*Error)
	if ok {
		*e = v
	}
	return ok
}

func TestSearchOutsideAnyRepository(t *testing.T) {
	rg, gs := engines(t)
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	for rel, content := range map[string]string{".gitignore": "a.txt\n", ".ignore": "b.txt\n", "a.txt": "needle\n", "b.txt": "needle\n", "c.txt": "needle\n"} {
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []*Searcher{rg, gs} {
		res, err := s.Search(ctx, dir, Query{Pattern: "needle"})
		if err != nil {
			t.Fatal(err)
		}
		// .gitignore only counts inside a repository; .ignore always does.
		if got := paths(res.Matches); !reflect.DeepEqual(got, []string{"a.txt", "c.txt"}) {
			t.Fatalf("%s: %v", s.Engine(), got)
		}
	}
}
