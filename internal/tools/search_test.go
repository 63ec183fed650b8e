package tools

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/testutil/filetree"
)

// The Go searcher must give ripgrep's output, so grep behaves the same on
// machines without rg.
func TestGoGrepMatchesRipgrep(t *testing.T) {
	root := t.TempDir()
	writeFixture(t, root)
	filetree.Write(t, filepath.Join(root, "repo"), map[string]string{
		".git/HEAD":                "ref: needle\n",
		".gitignore":               "ignored/\n*.tmp\n",
		"ignored/x.txt":            "needle\n",
		"a.tmp":                    "needle\n",
		"keep.txt":                 "needle\nNeedle\n",
		"sub/.ignore":              "hidden-by-ignore.txt\n",
		"sub/hidden-by-ignore.txt": "needle\n",
		"sub/deep/n.md":            "a needle here\n",
		".dot/n.txt":               "needle\n",
	})
	grepParity(t, root, []map[string]any{
		{"pattern": "needle", "path": "repo"},
		{"pattern": "needle", "path": "repo", "ignoreCase": true},
		{"pattern": "needle", "path": "repo", "glob": "*.md"},
		{"pattern": "needle", "path": "repo", "glob": "!*.md"},
		{"pattern": "needle", "path": "grep", "context": 2, "limit": 1000},
		{"pattern": "n+ needle", "path": "grep/long.txt"},
		{"pattern": "a.b", "path": "repo", "literal": true},
		{"pattern": "needle", "path": "grep/many.txt", "limit": 7},
		{"pattern": "needle", "path": "tree"},
	})
}

// grepParity runs each grep call with ripgrep and with the Go searcher
// in root; both must fail, or give the same lines (in any order: ripgrep
// searches files in parallel).
func grepParity(t *testing.T, root string, calls []map[string]any) {
	t.Helper()
	rg := testTools(t, root, nil)
	goOnly := testTools(t, root, func(o *Options) { o.NoRipgrep = true })
	for _, args := range calls {
		want, werr := run(t, rg, "grep", args)
		got, gerr := run(t, goOnly, "grep", args)
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%v: rg err %v, go err %v", args, werr, gerr)
			continue
		}
		if w, g := sortedLines(text(want)), sortedLines(text(got)); w != g {
			t.Errorf("%v:\nrg: %.2000q\ngo: %.2000q", args, w, g)
		}
	}
}

func sortedLines(s string) string {
	lines := strings.Split(s, "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestFindFollowsFdRules(t *testing.T) {
	root := t.TempDir()
	writeFixture(t, root)
	if err := os.MkdirAll(filepath.Join(root, "repo", ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "repo", ".git", "HEAD"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "tree", "src"), filepath.Join(root, "tree", "link")); err != nil {
		t.Fatal(err)
	}
	tools := testTools(t, root, nil)
	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"pattern": "*.ts", "path": "tree"}, "src/a.ts\nsrc/b.spec.ts\nsrc/deep/c.ts"},
		{map[string]any{"pattern": "*.TS", "path": "tree"}, "No files found matching pattern"},
		{map[string]any{"pattern": "src/*.ts", "path": "tree"}, "src/a.ts\nsrc/b.spec.ts"},
		{map[string]any{"pattern": "src", "path": "tree"}, "src/"},
		{map[string]any{"pattern": "link", "path": "tree"}, "link"},
		{map[string]any{"pattern": "*.log", "path": "tree"}, "No files found matching pattern"},
		{map[string]any{"pattern": "{README.md,*.spec.ts}", "path": "tree"}, "README.md\nsrc/b.spec.ts"},
		{map[string]any{"pattern": "*.ts", "path": "tree", "limit": 1}, "src/a.ts\n\n[1 results limit reached. Use limit=2 for more, or refine pattern]"},
		{map[string]any{"pattern": "HEAD", "path": "repo"}, "No files found matching pattern"},
	} {
		res, err := run(t, tools, "find", tc.args)
		if err != nil || text(res) != tc.want {
			t.Errorf("%v: got %q %v, want %q", tc.args, text(res), err, tc.want)
		}
	}
	_, err := run(t, tools, "find", map[string]any{"pattern": "*", "path": "nope"})
	if err == nil || !strings.HasPrefix(err.Error(), "[fd error]: Search path '"+filepath.Join(root, "nope")+"' is not a directory.") {
		t.Errorf("missing dir: %v", err)
	}
}
