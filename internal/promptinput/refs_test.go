package promptinput

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/workspace"
)

func TestFindRefs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"look at @src/a.ts please", []string{"src/a.ts"}},
		{"@a.md", []string{"a.md"}},
		{"mail me at user@example.com", nil},
		{`escaped \@a.md`, nil},
		{"what about @README.md?", []string{"README.md"}},
		{"list: @a, @b; @c: @d! @e) @f] (@g)", []string{"a", "b", "c", "d", "e", "f"}},
		{"@e)) @f.)", []string{"e)", "f."}},
		{"keeps the dot @notes.", []string{"notes."}},
		{`@"my file.txt" and @"other one"`, []string{"my file.txt", "other one"}},
		{`@"unterminated path`, []string{`"unterminated`}},
		{"@a?b c", []string{"a?b"}},
		{"tab\t@x\n@y", []string{"x", "y"}},
		{"@@x", []string{"@x"}},
		{"é@x ü @ñ", []string{"ñ"}},
	} {
		var got []string
		for _, r := range findRefs(c.in) {
			got = append(got, r.path)
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("findRefs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// refTree is a project with the files the expansion cases need, and a
// secret outside it.
func refTree(t *testing.T) (*workspace.Root, string) {
	t.Helper()
	base, _ := filepath.EvalSymlinks(t.TempDir())
	proj := filepath.Join(base, "proj")
	files := map[string]string{
		"small.go":        "package main\n",
		"dir/x.txt":       "x",
		"with space.md":   "# hi",
		"fence.md":        "before\n```\nclosing fence\n````\n",
		"../secret.txt":   "TOP SECRET",
		"tick`name\n.txt": "tick",
	}
	for p, c := range files {
		full := filepath.Join(proj, p)
		_ = os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(proj, "bin.dat"), []byte("ab\x00cd"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("a", InlineFileBytes+1)
	if err := os.WriteFile(filepath.Join(proj, "big.txt"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	// 100 MB: text at the start, then a hole; only its first 8 KiB are read.
	huge, err := os.Create(filepath.Join(proj, "huge.log"))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = huge.WriteString(strings.Repeat("log line\n", 1000))
	if err := huge.Truncate(100 << 20); err != nil {
		t.Fatal(err)
	}
	huge.Close()
	if err := os.Symlink(filepath.Join(base, "secret.txt"), filepath.Join(proj, "link-out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(proj, "small.go"), filepath.Join(proj, "link-in")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(base, filepath.Join(proj, "dir-out")); err != nil {
		t.Fatal(err)
	}
	root, err := workspace.New(workspace.Options{}).Root(proj)
	if err != nil {
		t.Fatal(err)
	}
	return root, proj
}

func TestExpandRefs(t *testing.T) {
	root, proj := refTree(t)
	for _, c := range []struct{ in, want string }{
		{"see @small.go now", "see @small.go\n```go file: small.go\npackage main\n\n```\n now"},
		{"see @link-in", "see @link-in\n``` file: link-in\npackage main\n\n```\n"},
		{"@dir and @dir/", "@dir/ and @dir/"},
		{`@"with space.md"`, "@\"with space.md\"\n```markdown file: with space.md\n# hi\n```\n"},
		{"thanks @alex", `thanks \@alex`},
		{"@../secret.txt", "[@../secret.txt not included: path is outside allowed roots]"},
		{"@" + filepath.Join(proj, "..", "secret.txt"), "[@" + filepath.Join(proj, "..", "secret.txt") + " not included: path is outside allowed roots]"},
		{"@/etc/passwd", "[@/etc/passwd not included: path is outside allowed roots]"},
		{"@link-out", "[@link-out not included: path is outside allowed roots]"},
		{"@dir-out/secret.txt", "[@dir-out/secret.txt not included: path is outside allowed roots]"},
		{"@dir-out", "[@dir-out not included: path is outside allowed roots]"},
		{"@bin.dat", "[@bin.dat not included: binary file]"},
		{"@big.txt", "@big.txt"},
		{"@huge.log and @big.txt", "@huge.log and @big.txt"},
		{"@a\x00b", "[@a\x00b not included: invalid path]"},
		{"@" + filepath.Join(proj, "small.go") + ".", `\@` + filepath.Join(proj, "small.go") + "."},
		{"@small.go?", "@small.go\n```go file: small.go\npackage main\n\n```\n?"},
	} {
		got := ExpandRefs(root, []string{c.in})[0]
		if got != c.want {
			t.Errorf("ExpandRefs(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestExpandRefsFenceCannotBeEscaped(t *testing.T) {
	root, _ := refTree(t)
	got := ExpandRefs(root, []string{"@fence.md"})[0]
	want := "@fence.md\n`````markdown file: fence.md\nbefore\n```\nclosing fence\n````\n\n`````\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// A backtick or newline in the name can not end the info line.
	got = ExpandRefs(root, []string{"@\"tick`name\n.txt\""})[0]
	if strings.Contains(got, "file: tick`") {
		t.Errorf("file name not sanitised: %q", got)
	}
}

func TestExpandRefsBudget(t *testing.T) {
	base := t.TempDir()
	sizes := map[string]int{"a": 100 << 10, "b": 120 << 10, "c": 128 << 10, "d": 127 << 10, "e": 10, "f": 60 << 10}
	for n, size := range sizes {
		if err := os.WriteFile(filepath.Join(base, n), []byte(strings.Repeat("x", size)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, err := workspace.New(workspace.Options{}).Root(base)
	if err != nil {
		t.Fatal(err)
	}
	// Smallest first: e, f, a, b and d take 407 KiB + 10 B; c (128 KiB)
	// would pass 512 KiB, so it stays a reference although it is the
	// first marker in the text.
	parts := ExpandRefs(root, []string{"@c @a", "@e @b @d @f"})
	inlined := func(name string) bool {
		return strings.Contains(parts[0]+parts[1], "file: "+name+"\n")
	}
	for n, want := range map[string]bool{"a": true, "b": true, "c": false, "d": true, "e": true, "f": true} {
		if inlined(n) != want {
			t.Errorf("%s inlined = %v, want %v", n, inlined(n), want)
		}
	}
	total := 0
	for n, size := range sizes {
		if inlined(n) {
			total += size
		}
	}
	if total > InlinePromptBytes {
		t.Errorf("inlined %d bytes, budget %d", total, InlinePromptBytes)
	}
	if !strings.HasPrefix(parts[0], "@c @a\n") {
		t.Errorf("deferred file keeps its marker: %q", parts[0][:20])
	}
}
